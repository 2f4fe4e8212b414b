import { describe, expect, it } from 'vitest';
import { codespacesUrl, gitpodUrl, publicOrigins } from './public-urls.ts';
import { cidrProblem, compileTrust } from './forwarded.ts';
import { keyMatches, keyUrl } from './learner-key.ts';
import { orchestratorEnvSchema } from '../config.ts';

describe('public URLs', () => {
  it('Gitpod serves the actual port at <port>-<workspace host>', () => {
    expect(gitpodUrl('https://amber-cat-abc123.ws-eu114.gitpod.io', 4000)).toBe(
      'https://4000-amber-cat-abc123.ws-eu114.gitpod.io',
    );
    expect(gitpodUrl('https://ws-1.gitpod.example/', 4123)).toBe('https://4123-ws-1.gitpod.example');
  });
  it('Codespaces serves it at <name>-<port>.<domain>', () => {
    expect(codespacesUrl('fluffy-space-x9', 'app.github.dev', 4000)).toBe(
      'https://fluffy-space-x9-4000.app.github.dev',
    );
  });
  it('OBS_PUBLIC_URL, Gitpod and Codespaces together, as origins, without duplicates', () => {
    expect(
      publicOrigins(
        {
          OBS_PUBLIC_URL: ['https://learner-1.workshop.example/', 'https://4000-ws-1.gitpod.example'],
          GITPOD_WORKSPACE_URL: 'https://ws-1.gitpod.example',
          CODESPACE_NAME: 'cs',
          GITHUB_CODESPACES_PORT_FORWARDING_DOMAIN: 'app.github.dev',
        },
        4000,
      ),
    ).toEqual([
      'https://learner-1.workshop.example',
      'https://4000-ws-1.gitpod.example',
      'https://cs-4000.app.github.dev',
    ]);
    expect(publicOrigins({ OBS_PUBLIC_URL: [] }, 4000)).toEqual([]);
    expect(publicOrigins({ OBS_PUBLIC_URL: [], CODESPACE_NAME: 'cs' }, 4000)).toEqual([]);
  });
});

describe('the environment', () => {
  const parse = (env: Record<string, string>) => orchestratorEnvSchema.safeParse(env);
  it('accepts URLs, CIDRs and a long enough key', () => {
    const r = parse({
      OBS_PUBLIC_URL: 'https://a.example, http://b.example:8080',
      OBS_TRUSTED_PROXIES: '10.0.0.0/8,127.0.0.1,::1/128',
      OBS_LEARNER_KEY: 'x'.repeat(16),
    });
    expect(r.success, JSON.stringify(r.error?.issues)).toBe(true);
    expect(r.data?.OBS_PUBLIC_URL).toEqual(['https://a.example', 'http://b.example:8080']);
  });
  it.each([
    ['OBS_PUBLIC_URL', 'ftp://a.example', /http\(s\) URL/],
    ['OBS_PUBLIC_URL', 'https://a.example/path', /without a path/],
    ['OBS_TRUSTED_PROXIES', '10.0.0.0/33', /prefix length/],
    ['OBS_TRUSTED_PROXIES', 'proxy.example', /not an address/],
    ['OBS_LEARNER_KEY', 'short', /16 characters/],
    ['OBS_LEARNER_KEY', 'has a space in the middle', /printable/],
    ['GITPOD_WORKSPACE_URL', 'not a url', /URL/i],
  ])('refuses %s=%s with a reason', (name, value, reason) => {
    const r = parse({ [name]: value });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n')).toMatch(
      new RegExp(`${name}: .*${reason.source}`),
    );
  });
});

describe('trust and keys', () => {
  it('trusts exactly the listed CIDRs', () => {
    const trust = compileTrust(['10.0.0.0/8', '127.0.0.1/32']);
    expect([trust('10.1.2.3', 0), trust('127.0.0.1', 0), trust('127.0.0.2', 0), trust('192.168.1.1', 0)]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(compileTrust([])('127.0.0.1', 0)).toBe(false);
    expect(cidrProblem('::1')).toBeUndefined();
  });
  it('compares keys whole, whatever their lengths', () => {
    expect(keyMatches('k'.repeat(20), 'k'.repeat(20))).toBe(true);
    expect(keyMatches('k'.repeat(20), 'k'.repeat(19))).toBe(false);
    expect(keyMatches('k'.repeat(20), '')).toBe(false);
    expect(keyUrl('https://a.example', 'a+b/c')).toBe('https://a.example/?key=a%2Bb%2Fc');
  });
});

describe('the learner key file', () => {
  it('is generated once (0600), then read back; a short one is refused with the file named', async () => {
    const { mkdtemp, writeFile, stat } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { loadLearnerKey } = await import('./learner-key.ts');
    const dir = await mkdtemp(join(tmpdir(), 'observastack-key-'));
    const file = join(dir, 'secrets', 'learner-key');
    const first = await loadLearnerKey(undefined, file);
    expect(first).toMatch(/^[\w-]{43}$/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await loadLearnerKey(undefined, file)).toBe(first);
    expect(await loadLearnerKey('from-the-environment-1', file)).toBe('from-the-environment-1');
    await writeFile(join(dir, 'short'), 'abc\n');
    await expect(loadLearnerKey(undefined, join(dir, 'short'))).rejects.toThrow(/short.*16 printable/);
  });
});
