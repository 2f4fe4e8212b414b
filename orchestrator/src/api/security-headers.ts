import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RequestHandler } from 'express';

export interface SecurityHeaderOptions {
  /** Grafana as the browser reaches it; only then may the site frame it (stack mode lesson widgets). */
  grafanaUrl?: string;
  /** The built site: its inline scripts (the island hydration script) are allowed by hash, nothing else inline. */
  siteDir?: string;
}

const inlineScript = /<script(?![^>]*\ssrc\s*=)[^>]*>([\s\S]*?)<\/script>/gi;

/** sha256 sources of every inline script in the site's HTML files (read once at start; a rebuilt site needs a restart). */
export function inlineScriptHashes(siteDir: string | undefined, maxFiles = 5000): string[] {
  const hashes = new Set<string>();
  if (!siteDir) return [];
  let seen = 0;
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (seen >= maxFiles) return;
      const path = join(dir, name);
      const st = statSync(path, { throwIfNoEntry: false });
      if (st?.isDirectory()) walk(path);
      else if (st?.isFile() && name.endsWith('.html')) {
        seen++;
        for (const m of readFileSync(path, 'utf8').matchAll(inlineScript)) {
          if (m[1].trim()) hashes.add(`'sha256-${createHash('sha256').update(m[1]).digest('base64')}'`);
        }
      }
    }
  };
  walk(siteDir);
  return [...hashes].sort();
}

const safeHost = /^[A-Za-z0-9.:[\]-]{1,300}$/;

/** The site's Content-Security-Policy; `host` (already checked) adds the page's own WebSocket origin. */
export function siteCsp(o: { grafanaOrigin?: string; scriptHashes: string[]; host?: string }): string {
  const ws = o.host && safeHost.test(o.host) ? ` ws://${o.host}` : '';
  return [
    "default-src 'self'",
    `script-src 'self'${o.scriptHashes.length ? ' ' + o.scriptHashes.join(' ') : ''}`,
    // Component styles may be inlined by the site build; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${ws}`,
    `frame-src ${o.grafanaOrigin ?? "'none'"}`,
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}

/** API answers are data, never documents: nothing may load or frame them. */
export const apiCsp = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/**
 * Security headers on every answer: a CSP (the site's, or the API's), no sniffing, no framing, no referrer
 * leaks, an isolated browsing context. The Grafana frame is allowed only when OBS_GRAFANA_URL is set.
 */
export function securityHeaders(o: SecurityHeaderOptions): RequestHandler {
  const grafanaOrigin = o.grafanaUrl ? new URL(o.grafanaUrl).origin : undefined;
  const scriptHashes = inlineScriptHashes(o.siteDir);
  return (req, res, next) => {
    const api =
      req.path.startsWith('/api/') || req.path === '/api' || req.path.startsWith('/v1/') || req.path === '/ws';
    res.setHeader(
      'content-security-policy',
      api ? apiCsp : siteCsp({ grafanaOrigin, scriptHashes, host: req.headers.host }),
    );
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('referrer-policy', 'same-origin');
    res.setHeader('cross-origin-opener-policy', 'same-origin');
    res.setHeader('cross-origin-resource-policy', 'same-origin');
    res.setHeader('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
    next();
  };
}
