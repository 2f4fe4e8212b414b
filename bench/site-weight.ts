// Weight of each lesson page of the built site (`npm run build:site` -> dist/site): the JS and CSS a browser
// fetches to render it, gzipped. JS counts <script src>, inline module scripts, modulepreload links, Astro
// island component/renderer URLs and, recursively, the static imports of those files. Chunks reached only by
// dynamic import() (charts loaded when a panel scrolls into view) are reported apart, as on-demand JS.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, posix, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { percentile } from './stats.ts';

export interface PageWeight {
  page: string;
  jsGzipBytes: number;
  /** JS reached only through dynamic import(), loaded on demand. */
  lazyJsGzipBytes: number;
  cssGzipBytes: number;
  htmlGzipBytes: number;
  jsFiles: number;
  cssFiles: number;
}

export interface SiteWeight {
  built: boolean;
  siteDir: string;
  /** Pages measured: HTML under a `lessons/` folder, or every page when there is none. */
  scope: 'lessons' | 'all pages';
  pages: PageWeight[];
  maxJsGzipBytes: number | null;
  medianJsGzipBytes: number | null;
  maxCssGzipBytes: number | null;
  /** Page with the most JS. */
  heaviest: string | null;
}

async function htmlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await htmlFiles(p)));
    else if (e.name.endsWith('.html')) out.push(p);
  }
  return out;
}

const attr = (tag: string, name: string) => new RegExp(`\\s${name}\\s*=\\s*["']([^"']+)["']`, 'i').exec(tag)?.[1];
const STATIC_IMPORT_RE = /(?:^|[;}\s])(?:import|export)\s*(?:[\w*{}\s,$]*?\s*from\s*)?["']([^"']+\.m?js)["']/g;
const DYNAMIC_IMPORT_RE = /\bimport\(\s*["'`]([^"'`$]+\.m?js)["'`]\s*\)/g;

export async function measureSite(siteDir: string): Promise<SiteWeight> {
  const empty: SiteWeight = {
    built: false,
    siteDir,
    scope: 'lessons',
    pages: [],
    maxJsGzipBytes: null,
    medianJsGzipBytes: null,
    maxCssGzipBytes: null,
    heaviest: null,
  };
  if (!existsSync(siteDir)) return empty;
  const gz = new Map<string, number>();
  const gzFile = async (file: string): Promise<number> => {
    if (!gz.has(file)) gz.set(file, existsSync(file) ? gzipSync(await readFile(file)).length : 0);
    return gz.get(file)!;
  };
  /** A URL in the page -> a file in the site (site-absolute or relative to the page). */
  const resolveUrl = (url: string, from: string): string | null => {
    if (/^(https?:)?\/\//.test(url) || url.startsWith('data:')) return null;
    const clean = url.split(/[?#]/)[0];
    return clean.startsWith('/') ? join(siteDir, ...clean.split('/')) : join(dirname(from), ...clean.split('/'));
  };
  /** Adds `entry` and its static imports to `seen`; dynamic import() targets go to `lazy`. */
  const jsClosure = async (entry: string, seen: Set<string>, lazy?: Set<string>): Promise<void> => {
    if (seen.has(entry) || !existsSync(entry)) return;
    seen.add(entry);
    const text = await readFile(entry, 'utf8');
    for (const m of text.matchAll(STATIC_IMPORT_RE)) {
      const next = resolveUrl(m[1], entry);
      if (next) await jsClosure(next, seen, lazy);
    }
    for (const m of text.matchAll(DYNAMIC_IMPORT_RE)) {
      const next = resolveUrl(m[1], entry);
      if (next) lazy?.add(next);
    }
  };

  const all = await htmlFiles(siteDir);
  const lessons = all.filter((f) => relative(siteDir, f).split(sep).includes('lessons'));
  const pages = lessons.length ? lessons : all;
  const out: PageWeight[] = [];
  for (const file of pages) {
    const html = await readFile(file, 'utf8');
    const js = new Set<string>();
    const lazyEntries = new Set<string>();
    const css = new Set<string>();
    let inlineJs = '';
    let inlineCss = '';
    for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
      const src = attr(m[1], 'src');
      if (src) {
        const f = resolveUrl(src, file);
        if (f) await jsClosure(f, js, lazyEntries);
      } else if (!/type\s*=\s*["']application\/(ld\+)?json["']/i.test(m[1])) inlineJs += m[2];
    }
    for (const m of html.matchAll(/<link\b[^>]*>/gi)) {
      const rel = attr(m[0], 'rel') ?? '';
      const href = attr(m[0], 'href');
      const f = href ? resolveUrl(href, file) : null;
      if (!f) continue;
      if (/\bstylesheet\b/i.test(rel)) css.add(f);
      else if (/\bmodulepreload\b/i.test(rel)) await jsClosure(f, js, lazyEntries);
    }
    for (const m of html.matchAll(/<astro-island\b[^>]*>/gi)) {
      for (const a of ['component-url', 'renderer-url', 'before-hydration-url']) {
        const u = attr(m[0], a);
        const f = u ? resolveUrl(u, file) : null;
        if (f) await jsClosure(f, js, lazyEntries);
      }
    }
    const lazy = new Set<string>();
    for (const f of lazyEntries) await jsClosure(f, lazy);
    let lazyBytes = 0;
    for (const f of lazy) if (!js.has(f)) lazyBytes += await gzFile(f);
    for (const m of html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/gi)) inlineCss += m[1];
    let jsBytes = inlineJs ? gzipSync(inlineJs).length : 0;
    for (const f of js) jsBytes += await gzFile(f);
    let cssBytes = inlineCss ? gzipSync(inlineCss).length : 0;
    for (const f of css) cssBytes += await gzFile(f);
    out.push({
      page: relative(siteDir, file).split(sep).join(posix.sep),
      jsGzipBytes: jsBytes,
      lazyJsGzipBytes: lazyBytes,
      cssGzipBytes: cssBytes,
      htmlGzipBytes: gzipSync(html).length,
      jsFiles: js.size,
      cssFiles: css.size,
    });
  }
  const jsSizes = out.map((p) => p.jsGzipBytes);
  const heaviest = out.reduce<PageWeight | null>((a, p) => (!a || p.jsGzipBytes > a.jsGzipBytes ? p : a), null);
  return {
    built: true,
    siteDir,
    scope: lessons.length ? 'lessons' : 'all pages',
    pages: out,
    maxJsGzipBytes: out.length ? Math.max(...jsSizes) : null,
    medianJsGzipBytes: percentile(jsSizes, 50),
    maxCssGzipBytes: out.length ? Math.max(...out.map((p) => p.cssGzipBytes)) : null,
    heaviest: heaviest?.page ?? null,
  };
}
