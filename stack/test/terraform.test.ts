import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { stackDir } from './compose-model.ts';
import { peerTool } from '../../test-support/peer-tool.ts';

const terraform = peerTool({
  candidates: ['/usr/local/bin/terraform', 'terraform'],
  versionArgs: ['version'],
  source: 'HashiCorp terraform',
});
const gcpDir = join(stackDir, 'terraform/gcp');
const tf = (name: string) => readFileSync(join(gcpDir, name), 'utf8');
const work = mkdtempSync(join(tmpdir(), 'observastack-tf-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
// Terraform warns on stderr when ~/.terraformrc is missing; an empty CLI config keeps the output clean.
writeFileSync(join(work, 'terraformrc'), '');
const run = (args: string[], input?: string) =>
  spawnSync(terraform as string, args, {
    encoding: 'utf8',
    input,
    cwd: work,
    env: { ...process.env, TF_CLI_CONFIG_FILE: join(work, 'terraformrc'), TF_IN_AUTOMATION: '1' },
  });

describe('GCP terraform', () => {
  if (!terraform) console.warn('terraform not found: `terraform fmt` and template checks are skipped');

  it.skipIf(!terraform)('passes `terraform fmt -check -recursive stack/terraform`', () => {
    const r = run(['fmt', '-check', '-recursive', join(stackDir, 'terraform')]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.skipIf(!terraform)('fmt -check really checks (a badly indented copy fails)', () => {
    writeFileSync(join(work, 'bad.tf'), 'variable "x" {\ndescription="y"\n}\n');
    expect(run(['fmt', '-check', join(work, 'bad.tf')]).status).not.toBe(0);
  });

  it.skipIf(!terraform)('the startup script template renders (terraform console) to a script bash accepts', () => {
    const expr = `templatefile("${join(gcpDir, 'startup.sh.tftpl')}", { repo_url = "https://example.invalid/repo.git", git_ref = "0123abc", obs_version = "9.8.7", install_ops_agent = true })`;
    const r = run(['console'], `${expr}\n`);
    expect(r.status, r.stderr).toBe(0);
    const script = r.stdout.replace(/^<<EOT\n/, '').replace(/\nEOT\s*$/, '\n');
    expect(script).toContain('fetch -q --depth 1 origin "0123abc"');
    expect(script).toContain('checkout -q --detach FETCH_HEAD');
    expect(script).toContain('export OBS_VERSION="9.8.7"');
    expect(script).toContain('sh stack/scripts/init-secrets.sh');
    expect(script).toMatch(/up -d --no-build --wait/);
    const bash = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
    expect(bash.status, bash.stderr).toBe(0);
  });

  // The learner locals evaluated for real, offline: variables.tf and learners.tf alone need no provider.
  const learnerLocals = (expr: string, vars: Record<string, string>) => {
    const dir = mkdtempSync(join(work, 'learners-'));
    for (const f of ['variables.tf', 'learners.tf']) writeFileSync(join(dir, f), tf(f));
    const args = Object.entries({ project_id: 'p', git_ref: 'abc123', ...vars }).flatMap(([k, v]) => [
      '-var',
      `${k}=${v}`,
    ]);
    const r = spawnSync(terraform as string, ['console', ...args], {
      encoding: 'utf8',
      input: `jsonencode(${expr})\n`,
      cwd: dir,
      env: { ...process.env, TF_CLI_CONFIG_FILE: join(work, 'terraformrc'), TF_IN_AUTOMATION: '1' },
    });
    // Strings come back colored and quoted: the JSON is the quoted string's content.
    // A validation that refers to another variable reports its error but exits 0 in `console`: read both.
    const out = stripVTControlCharacters(r.stdout).trim();
    const failed = r.status !== 0 || /Error: /.test(stripVTControlCharacters(r.stderr));
    return { status: failed ? 1 : 0, value: failed ? null : JSON.parse(JSON.parse(out)), err: r.stderr };
  };

  it.skipIf(!terraform)(
    'N learner VMs: one plain VM by default, learner-1..N otherwise, each learner tunnels to their own',
    () => {
      expect(learnerLocals('local.vm_names', {}).value).toEqual(['observastack']);
      const three = {
        learners: '3',
        iap_members: '["group:ops@example.com"]',
        learner_members: '["user:a@example.com","user:b@example.com","user:c@example.com"]',
      };
      expect(learnerLocals('local.vm_names', three).value).toEqual([
        'observastack-learner-1',
        'observastack-learner-2',
        'observastack-learner-3',
      ]);
      const access = learnerLocals('values(local.tunnel_access)', three).value as { member: string; vm: number }[];
      const byVm = (vm: number) =>
        access
          .filter((a) => a.vm === vm)
          .map((a) => a.member)
          .sort();
      expect([byVm(0), byVm(1), byVm(2)]).toEqual([
        ['group:ops@example.com', 'user:a@example.com'],
        ['group:ops@example.com', 'user:b@example.com'],
        ['group:ops@example.com', 'user:c@example.com'],
      ]);
      // Refused: a roster of the wrong length, no learner, a fraction.
      expect(learnerLocals('local.vm_names', { ...three, learner_members: '["user:a@example.com"]' }).status).not.toBe(
        0,
      );
      expect(learnerLocals('local.vm_names', { learners: '0' }).status).not.toBe(0);
      expect(learnerLocals('local.vm_names', { learners: '1.5' }).status).not.toBe(0);
    },
  );

  it('each learner VM is a count of the one VM resource (moved from the old single address), and the roster lists them', () => {
    const main = tf('main.tf');
    expect(main).toMatch(/moved \{\s*from = google_compute_instance\.vm\s*to\s*= google_compute_instance\.vm\[0\]/);
    expect(main).toMatch(/resource "google_compute_instance" "vm" \{\s*count = var\.learners/);
    const roster = /output "roster" \{[\s\S]*?\n\}/.exec(tf('outputs.tf'))?.[0] ?? '';
    expect(roster).toMatch(/for i, learner in local\.learners : learner =>/);
    for (const field of ['vm', 'open', 'key', 'tunnels', 'ssh']) expect(roster).toMatch(new RegExp(`\\b${field}\\s*=`));
  });

  it('the VM has no public IP and a dedicated service account', () => {
    const main = tf('main.tf');
    const vm = /resource "google_compute_instance" "vm" \{[\s\S]*?\n\}/.exec(main)?.[0] ?? '';
    expect(vm).not.toMatch(/^\s*access_config/m);
    expect(vm).toMatch(/email\s*=\s*google_service_account\.vm\.email/);
  });

  it('firewall rules admit only the IAP range, one rule per path', () => {
    const main = tf('main.tf');
    expect(main).toContain('iap_range = "35.235.240.0/20"');
    const ranges = [...main.matchAll(/source_ranges\s*=\s*(.+)/g)].map((m) => m[1].trim());
    expect(ranges).toEqual(['[local.iap_range]']);
    for (const [path, port] of [
      ['ssh', 22],
      ['user', 8080],
      ['control', 4000],
      ['observability', 3000],
    ] as const) {
      expect(main).toMatch(new RegExp(`${path}\\s*=\\s*\\{ port = ${port},`));
    }
  });

  it('the service account may only write logs and metrics', () => {
    const roles = /toset\(\[("roles\/[^\]]*)\]\)/
      .exec(tf('main.tf'))?.[1]
      .split(',')
      .map((r) => r.trim().replace(/"/g, ''));
    expect(roles).toEqual(['roles/logging.logWriter', 'roles/monitoring.metricWriter']);
  });

  it('enables the APIs it uses (Compute, IAP), and the VM takes stack/ from a pinned git ref without a default', () => {
    const apis = /resource "google_project_service" "apis" \{[\s\S]*?toset\(\[([^\]]*)\]\)/
      .exec(tf('main.tf'))?.[1]
      .split(',')
      .map((r) => r.trim().replace(/"/g, ''));
    expect(apis).toEqual(['compute.googleapis.com', 'iap.googleapis.com']);
    const ref = /variable "git_ref" \{[\s\S]*?\n\}/.exec(tf('variables.tf'))?.[0] ?? '';
    expect(ref).toMatch(/validation/);
    expect(ref).not.toMatch(/default\s*=/);
    expect(tf('startup.sh.tftpl')).not.toMatch(/--branch "v\$\{obs_version\}"/);
  });

  it('every variable has a description; outputs print the IAP commands', () => {
    const vars = tf('variables.tf')
      .split(/^variable /m)
      .slice(1);
    expect(vars.length).toBeGreaterThan(5);
    for (const v of vars) expect(v, v.split('\n')[0]).toMatch(/description\s*=/);
    const outputs = tf('outputs.tf');
    expect(outputs).toContain('gcloud compute ssh');
    expect(outputs).toContain('--tunnel-through-iap');
    expect((outputs.match(/gcloud compute start-iap-tunnel/g) ?? []).length).toBe(3);
  });
});
