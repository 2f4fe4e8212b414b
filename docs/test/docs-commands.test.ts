import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// Keeps every command the docs tell a reader to run true. A fenced block whose info string is `sh` (or `bash`,
// `shell`) is a claim that its commands run in this repository; output and illustrations go in `text`/`console`.

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const shellInfo = new Set(['sh', 'bash', 'shell']);
/** Top-level folders whose paths a doc may name; other words with a slash (URLs, `.observastack/`) are not checked. */
const repoDirs = [
  'sut',
  'orchestrator',
  'scenarios',
  'docs',
  'stack',
  'bench',
  'scripts',
  'site',
  'content',
  'e2e',
  'test-support',
  '.ci',
];
const placeholder = /[<>*{}…$]|\.\.\.|\bNN\b|\bX\b/;

interface Block {
  file: string;
  line: number;
  lang: string;
  lines: { n: number; text: string }[];
}
interface DocProblem {
  file: string;
  line: number;
  command: string;
  reason: string;
}

function docFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? e.name === 'test'
          ? []
          : walk(posix.join(dir, e.name))
        : e.name.endsWith('.md')
          ? [posix.join(dir, e.name)]
          : [],
    );
  return ['README.md', 'CONTRIBUTING.md', ...walk('docs'), ...walk('scenarios/packs')].filter((f) =>
    existsSync(join(root, f)),
  );
}

/** Fenced blocks (``` or ~~~) with the line each of their lines sits on. */
function fencedBlocks(file: string, text: string): { blocks: Block[]; prose: { n: number; text: string }[] } {
  const blocks: Block[] = [];
  const prose: { n: number; text: string }[] = [];
  let open: (Block & { fence: string }) | null = null;
  text.split('\n').forEach((raw, i) => {
    const n = i + 1;
    const fence = /^\s*(`{3,}|~{3,})\s*([\w+-]*)/.exec(raw);
    if (open) {
      if (fence && fence[1][0] === open.fence[0] && fence[1].length >= open.fence.length && !fence[2]) {
        blocks.push(open);
        open = null;
      } else open.lines.push({ n, text: raw });
    } else if (fence) open = { file, line: n, lang: fence[2].toLowerCase(), lines: [], fence: fence[1] };
    else prose.push({ n, text: raw });
  });
  return { blocks, prose };
}

/** Logical commands of a shell block: continuations joined, comments dropped, split on && || ; and |. */
function commands(block: Block): { n: number; text: string }[] {
  const out: { n: number; text: string }[] = [];
  let pending: { n: number; text: string } | null = null;
  for (const l of block.lines) {
    // Command substitutions `$(…)` are commands of their own: `TOKEN=$(npm run token)` checks `npm run token`.
    const text = l.text
      .replace(/(^|\s)#.*$/, '')
      .replace(/\$\(/g, ';')
      .replace(/\)/g, ';');
    pending = pending ? { n: pending.n, text: `${pending.text} ${text}` } : { n: l.n, text };
    if (/\\\s*$/.test(text)) {
      pending.text = pending.text.replace(/\\\s*$/, '');
      continue;
    }
    for (const part of pending.text.split(/&&|\|\||;|\|/))
      if (part.trim()) out.push({ n: pending.n, text: part.trim() });
    pending = null;
  }
  return out;
}

const scriptsOf = (pkgDir: string): Record<string, string> | null => {
  const file = join(root, pkgDir, 'package.json');
  return existsSync(file)
    ? ((JSON.parse(readFileSync(file, 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {})
    : null;
};

function checkNpm(words: string[], where: Omit<DocProblem, 'reason'>, problems: DocProblem[]): void {
  let ws = '.';
  const rest: string[] = [];
  for (let i = 1; i < words.length; i++) {
    if (words[i] === '-w' || words[i] === '--workspace') ws = words[++i] ?? '.';
    else if (words[i].startsWith('--workspace=')) ws = words[i].slice('--workspace='.length);
    else rest.push(words[i]);
  }
  const sub = rest.find((w) => !w.startsWith('-'));
  let script: string | undefined;
  if (sub === 'run' || sub === 'run-script') script = rest.slice(rest.indexOf(sub) + 1).find((w) => !w.startsWith('-'));
  else if (sub === 'start' || sub === 'test') script = sub;
  if (!script || placeholder.test(script)) return;
  const wsDir = ws === '.' ? '.' : ws.startsWith('@observastack/') ? findWorkspace(ws) : ws;
  const scripts = wsDir ? scriptsOf(wsDir) : null;
  if (!scripts) problems.push({ ...where, reason: `no workspace "${ws}"` });
  else if (!(script in scripts))
    problems.push({ ...where, reason: `no script "${script}" in ${posix.join(wsDir!, 'package.json')}` });
}

function findWorkspace(name: string): string | null {
  const { workspaces = [] } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces?: string[] };
  return (
    workspaces.find(
      (w) => (JSON.parse(readFileSync(join(root, w, 'package.json'), 'utf8')) as { name: string }).name === name,
    ) ?? null
  );
}

const isRepoPath = (w: string) =>
  repoDirs.some((d) => w === d || w.startsWith(`${d}/`) || w.startsWith(`./${d}/`)) && !placeholder.test(w);

/** Checks one shell block; `cwd` follows `cd` into folders of the repository. */
function checkShellBlock(block: Block, problems: DocProblem[]): void {
  let cwd = root;
  const created = new Set<string>();
  for (const c of commands(block)) {
    const where = { file: block.file, line: c.n, command: c.text };
    const words = c.text
      .split(/\s+/)
      .map((w) => w.replace(/^["']|["']$/g, ''))
      .filter(Boolean);
    while (words.length && /^[A-Z_][A-Z0-9_]*=/.test(words[0])) words.shift();
    const [cmd] = words;
    if (!cmd) continue;
    const exists = (p: string) => existsSync(resolve(cwd, p)) || created.has(resolve(cwd, p));
    if (cmd === 'npm') checkNpm(words, where, problems);
    if (cmd === 'mkdir' || cmd === 'touch')
      for (const w of words.slice(1).filter((x) => !x.startsWith('-'))) created.add(resolve(cwd, w));
    if (cmd === 'cp' || cmd === 'mv') created.add(resolve(cwd, words[words.length - 1]));
    if (cmd === 'cd') {
      const to = words[1];
      if (!to || placeholder.test(to) || to.startsWith('~')) {
        cwd = '';
        continue;
      }
      if (cwd && !exists(to) && isRepoPath(to)) problems.push({ ...where, reason: `no folder ${to}` });
      cwd = cwd && exists(to) ? resolve(cwd, to) : '';
      continue;
    }
    if (!cwd) continue; // outside the repository: nothing more to check
    const runs: string[] = [];
    if (cmd === 'node') {
      for (let i = 1; i < words.length; i++) {
        if (words[i] === '--import' || words[i] === '--require' || words[i] === '-r') runs.push(words[++i]);
        else if (words[i].startsWith('--import=')) runs.push(words[i].slice('--import='.length));
        else if (/^-[a-z]*[ep][a-z]*$/.test(words[i]) || words[i] === '--eval' || words[i] === '--print')
          break; // inline code, no file
        else if (!words[i].startsWith('-')) {
          runs.push(words[i]);
          break;
        }
      }
    }
    if ((cmd === 'bash' || cmd === 'sh') && words[1] && !words[1].startsWith('-')) runs.push(words[1]);
    for (const p of runs)
      if (p && !placeholder.test(p) && !exists(p))
        problems.push({ ...where, reason: `${cmd} runs ${p}, which does not exist` });
    const skip = cmd === 'cp' || cmd === 'mv' ? words.length - 1 : -1;
    words.forEach((w, i) => {
      const p = w.replace(/[),:]+$/, '');
      if (i === skip || runs.includes(w) || !isRepoPath(p)) return;
      if (!exists(p)) problems.push({ ...where, reason: `path ${p} does not exist` });
    });
  }
}

/** Inline `npm run x` in prose and relative Markdown links. */
function checkProse(file: string, prose: { n: number; text: string }[], problems: DocProblem[]): void {
  for (const l of prose) {
    for (const m of l.text.matchAll(/`(npm (?:run|start|test)[^`]*)`/g))
      checkNpm(m[1].split(/\s+/), { file, line: l.n, command: m[1] }, problems);
    for (const m of l.text.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)) {
      const target = m[1];
      if (/^[a-z]+:/i.test(target) || placeholder.test(target)) continue;
      if (!existsSync(resolve(root, dirname(file), target)))
        problems.push({
          file,
          line: l.n,
          command: `(${target})`,
          reason: `link target ${posix.join(dirname(file), target)} does not exist`,
        });
    }
  }
}

const formatProblem = (p: DocProblem) => `${p.file}:${p.line}: \`${p.command}\`: ${p.reason}`;

function checkDoc(file: string, text: string): { problems: DocProblem[]; shellCommands: string[] } {
  const problems: DocProblem[] = [];
  const { blocks, prose } = fencedBlocks(file, text);
  const shell = blocks.filter((b) => shellInfo.has(b.lang));
  for (const b of shell) checkShellBlock(b, problems);
  checkProse(file, prose, problems);
  return { problems, shellCommands: shell.flatMap((b) => commands(b).map((c) => c.text)) };
}

describe("the docs' shell commands", () => {
  const docs = docFiles().map((f) => ({ file: f, ...checkDoc(f, readFileSync(join(root, f), 'utf8')) }));

  it('reports a bad command with file and line (the checker itself)', () => {
    const text = [
      '# Example',
      '',
      'Run `npm run nope` first.',
      '',
      '```sh',
      'npm run start && npm run missing-script',
      'node sut/nowhere/server.ts',
      'bash .ci/run',
      'cat docs/absent.md',
      '```',
      '',
      '```text',
      'npm run also-missing',
      '```',
      'See [the guide](no-such-guide.md).',
    ].join('\n');
    expect(checkDoc('docs/example.md', text).problems.map(formatProblem)).toEqual([
      'docs/example.md:6: `npm run missing-script`: no script "missing-script" in package.json',
      'docs/example.md:7: `node sut/nowhere/server.ts`: node runs sut/nowhere/server.ts, which does not exist',
      'docs/example.md:9: `cat docs/absent.md`: path docs/absent.md does not exist',
      'docs/example.md:3: `npm run nope`: no script "nope" in package.json',
      'docs/example.md:15: `(no-such-guide.md)`: link target docs/no-such-guide.md does not exist',
    ]);
  });

  it('reads the README, CONTRIBUTING and docs, and finds shell blocks in them', () => {
    const files = docs.map((d) => d.file);
    expect(files).toEqual(expect.arrayContaining(['README.md', 'CONTRIBUTING.md', 'docs/testing.md']));
    expect(docs.find((d) => d.file === 'README.md')!.shellCommands).toContain('npm test');
  });

  it('names only scripts, files and folders that exist', () => {
    expect(docs.flatMap((d) => d.problems).map(formatProblem)).toEqual([]);
  });

  it('runs the cheap, safe commands the docs give, wherever they appear', async () => {
    const all = new Set(docs.flatMap((d) => d.shellCommands));
    expect(all).toContain('node scripts/check-node.mjs');
    await run(process.execPath, ['scripts/check-node.mjs'], { cwd: root });

    const token = [...all].find((c) => /^npm run (?:--silent )?token$/.test(c));
    expect(token, 'a doc shows `npm run token`').toBeDefined();
    const dataDir = await mkdtemp(join(tmpdir(), 'observastack-docs-'));
    try {
      const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
      const { stdout } = await run(npm, ['run', '--silent', 'token'], {
        cwd: root,
        env: { ...process.env, OBS_DATA_DIR: dataDir },
      });
      expect(stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(existsSync(join(dataDir, 'secrets', 'jwt-secret'))).toBe(true);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
