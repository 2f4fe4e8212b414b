import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, stackDir } from './compose-model.ts';

const skipDirs = new Set([
  'node_modules',
  '.git',
  '.observastack',
  'dist',
  '.astro',
  'secrets',
  '.secrets',
  'test-results',
]);

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (skipDirs.has(name) || name.startsWith('.render.')) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) yield* files(p);
    else if (st.isFile() && st.size < 2_000_000) yield p;
  }
}

// Files git would commit: tracked or untracked-but-not-ignored (falls back to walking the tree without git).
function repoFiles(): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    return out
      .split('\0')
      .filter(Boolean)
      .filter((f) => !f.split('/').some((s) => skipDirs.has(s)))
      .map((f) => join(repoRoot, f));
  } catch {
    return [...files(repoRoot)];
  }
}

const selfPath = new URL(import.meta.url).pathname;
const privateKey = /-----BEGIN ((RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY( BLOCK)?-----/;
const adminAdmin = /admin\s*[/:]\s*admin\b/i;
const passwordLiteral =
  /(password|passwd|pwd|secret|token)["']?\s*[:=]\s*["']?(?!\$\{|\/run\/secrets|\.\/secrets|"\$\(|\$\(|<|\{\{)[A-Za-z0-9+/!@#%^&*_.-]{6,}/i;

describe('no secret in the stack files, workflows or dev environments', () => {
  const all = repoFiles().filter((f) => f !== selfPath);
  const text = (f: string) => {
    try {
      return readFileSync(f, 'utf8');
    } catch {
      return '';
    }
  };

  it('scans a real tree', () => {
    expect(all.length).toBeGreaterThan(20);
    expect(all.some((f) => f.endsWith('stack/compose.yaml'))).toBe(true);
  });

  // Private keys and default admin passwords anywhere in the tree: scripts/repo-checks/no-secrets.test.ts.

  it('no password literal in the stack, the workflows or the dev environments', () => {
    const scoped = all.filter(
      (f) =>
        (f.startsWith(stackDir) && !f.startsWith(join(stackDir, 'test'))) ||
        /\/\.github\/|\.gitpod\.yml$|\/\.devcontainer\//.test(f),
    );
    expect(scoped.length).toBeGreaterThan(10);
    const hits = scoped
      .flatMap((f) =>
        text(f)
          .split('\n')
          .map((line, i) => [f, i + 1, line] as const),
      )
      .filter(
        ([, , line]) =>
          passwordLiteral.test(line) && !/_FILE\b|__FILE\b|secretName|secretKeyRef|password_file|PASS_FILE/.test(line),
      );
    expect(hits.map(([f, n, l]) => `${relative(repoRoot, f)}:${n}: ${l.trim()}`)).toEqual([]);
  });

  it('the patterns really match what they look for', () => {
    expect(privateKey.test('-----BEGIN OPENSSH PRIVATE KEY-----')).toBe(true);
    expect(adminAdmin.test('log in with admin/admin')).toBe(true);
    expect(passwordLiteral.test('POSTGRES_PASSWORD: hunter2hunter2')).toBe(true);
    expect(passwordLiteral.test('POSTGRES_PASSWORD_FILE: /run/secrets/postgres_password')).toBe(false);
    expect(passwordLiteral.test('password: ${{ secrets.DOCKERHUB_TOKEN }}')).toBe(false);
  });
});
