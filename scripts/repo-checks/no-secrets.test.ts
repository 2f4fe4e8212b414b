import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// No secret, key or default password in the repository: every file of the tree except node_modules, .git,
// dist and what git ignores (the generated secrets live in git-ignored folders).
const root = fileURLToPath(new URL('../../', import.meta.url));
const skipDirs = new Set(['node_modules', '.git', 'dist']);

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path, { throwIfNoEntry: false });
    if (st?.isDirectory() && !skipDirs.has(name)) walk(path, out);
    else if (st?.isFile() && st.size < 2_000_000) out.push(relative(root, path));
  }
  return out;
}

function notIgnored(files: string[]): string[] {
  try {
    const ignored = execFileSync('git', ['check-ignore', '--stdin'], {
      cwd: root,
      input: files.join('\n'),
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const set = new Set(ignored.split('\n').filter(Boolean));
    return files.filter((f) => !set.has(f));
  } catch (err) {
    // exit code 1: nothing is ignored; anything else (no git): check every file
    return (err as { status?: number }).status === 1 ? files : files.filter((f) => !f.startsWith('.observastack/'));
  }
}

const textFile =
  /\.(ts|tsx|js|mjs|cjs|json|ya?ml|md|mdx|sh|ini|env|toml|sql|conf|txt|astro|html|hcl|tf|tfvars|dockerfile)$|(^|\/)(Dockerfile|\.env[^/]*)$/i;
const rules: [string, RegExp][] = [
  // The header followed by key material (a rule's own test sample has a header alone).
  ['private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----\s*[A-Za-z0-9+/=]{40,}/],
  ['JWT', /eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{20,}/],
  ['AWS access key', /\bAKIA[0-9A-Z]{16}\b/],
  ['GitHub token', /\bgh[pousr]_[A-Za-z0-9]{36}\b/],
  ['Slack token', /\bxox[abprs]-[A-Za-z0-9-]{10,}/],
  [
    'password in a URL',
    /\b(?:postgres(?:ql)?|mysql|redis|amqp|mongodb(?:\+srv)?):\/\/[^:\s/'"`$]+:(?!\$\{|\/\/)[^@\s'"`$]{3,}@/,
  ],
  [
    'literal password setting',
    /\b(?:[A-Z_]*PASSWORD|admin_password|password)\s*[:=]\s*["']?(?!\$|\{|<|\/run\/secrets|["']?\s*$)(?:admin|password|postgres|secret|changeme|123456|observastack)["']?\s*$/im,
  ],
  ['Grafana default admin', /GF_SECURITY_ADMIN_PASSWORD\s*[:=]\s*["']?admin\b/],
];

describe('the repository holds no secret', () => {
  const files = notIgnored(walk(root, [])).filter(
    (f) => textFile.test(f) && f !== 'scripts/repo-checks/no-secrets.test.ts',
  );

  it('checks the real tree (a sanity bound on what was read)', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files).toContain('stack/compose.yaml');
  });

  it('no private key, token, cloud key or default password in any file', () => {
    const found: string[] = [];
    for (const f of files) {
      const text = readFileSync(join(root, f), 'utf8');
      for (const [what, re] of rules) {
        const m = re.exec(text);
        if (m) found.push(`${f}: ${what}: ${m[0].slice(0, 80)}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('the rules do catch what they are for', () => {
    const samples = [
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsZWFybmVyIn0.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
      'AKIAABCDEFGHIJKLMNOP',
      'postgres://observastack:hunter22@db:5432/x',
      'POSTGRES_PASSWORD: postgres',
      'admin_password = admin',
      'GF_SECURITY_ADMIN_PASSWORD: admin',
    ];
    for (const s of samples)
      expect(
        rules.some(([, re]) => re.test(s)),
        s,
      ).toBe(true);
    for (const ok of [
      'POSTGRES_PASSWORD_FILE: /run/secrets/postgres_password',
      'postgres://observastack@postgres:5432/observastack',
      'adminUrl: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1`',
    ]) {
      expect(
        rules.some(([, re]) => re.test(ok)),
        ok,
      ).toBe(false);
    }
  });
});
