import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { z } from 'zod';
import { issuesFrom } from '@observastack/sut-common/errors.ts';
import { loadScenarios, type ScenarioProblem } from './loader.ts';
import type { Scenario } from './scenario.ts';

/** Folder whose sub-folders are packs shipped with the platform (`scenarios/packs/*`). */
export const builtInPacksDir = fileURLToPath(new URL('../../../scenarios/packs/', import.meta.url));
export const packManifestFile = 'observastack-pack.json';
/** The running ObservaStack version (root package.json), which a pack's `platform` range must include. */
export const platformVersion = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
/** Files a pack may never carry in its scenarios folder: packs are data, never code. */
const codeFile = /\.(?:[cm]?[jt]s|[jt]sx|node|wasm)$/i;

/** `observastack-pack.json`: what a scenario pack says about itself. */
export const packManifestSchema = z.strictObject({
  name: z
    .string()
    .max(214)
    .regex(
      /^(?:@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/,
      'an npm package name: lowercase, optionally @scope/name',
    )
    .describe('The pack\'s npm-style name; its scenario ids are namespaced with the part after any scope ("name/id").'),
  version: z
    .string()
    .refine((v) => semver.valid(v) !== null, 'a semantic version such as 1.0.0')
    .describe("The pack's own version (semver)."),
  license: z
    .string()
    .min(1)
    .regex(/^[A-Za-z0-9.+()\- ]+$/, 'an SPDX licence expression such as MIT')
    .describe('SPDX licence expression of the pack, e.g. MIT.'),
  platform: z
    .string()
    .refine((r) => semver.validRange(r) !== null, 'a semver range such as ^0.1.0')
    .describe('Semver range of ObservaStack versions the pack supports, e.g. ">=0.1.0 <1".'),
  description: z.string().min(1).max(500).describe('One sentence: what incidents the pack teaches.'),
  lessons: z.string().optional().describe('Optional folder (relative to the pack) of lesson MDX files.'),
});
export type PackManifest = z.infer<typeof packManifestSchema>;

/** A problem with a pack or one of its files; `path` is the field (or `(pack)` for the pack as a whole). */
export interface PackProblem {
  file: string;
  path: string;
  reason: string;
}

export interface LoadedPack {
  manifest: PackManifest;
  dir: string;
  namespace: string;
  scenarioIds: string[];
}

export interface LoadedPacks {
  packs: LoadedPack[];
  scenarios: Scenario[];
  problems: PackProblem[];
}

export interface LoadPacksOptions {
  /** Folders each holding pack folders (default: `scenarios/packs`). */
  dirs?: string[];
  /** Extra packs: a folder path or an installed package name each (what `OBS_SCENARIO_PACKS` lists). */
  packs?: string[];
  /** The platform version checked against each manifest's `platform` range (default: the running one). */
  platformVersion?: string;
  /** Resolves package names; default: from the current working folder. */
  resolveFrom?: string;
  /** Ids already taken (the built-in scenarios): a pack scenario with one of them is refused. */
  takenIds?: Iterable<string>;
}

/** `OBS_SCENARIO_PACKS=a,b` → ['a', 'b']. */
export const parsePackList = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const shown = (file: string) => relative(process.cwd(), file) || file;

async function isDir(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** Where a pack listed by path or package name lives, or a problem. */
function locate(entry: string, from: string): { dir: string } | { problem: PackProblem } {
  const isPath = isAbsolute(entry) || entry.startsWith('.') || (entry.includes('/') && !entry.startsWith('@'));
  if (isPath) return { dir: resolve(from, entry) };
  // Resolve the package's files only: nothing from the package is ever imported or executed.
  const req = createRequire(join(from, 'noop.js'));
  for (const file of [packManifestFile, 'package.json']) {
    try {
      return { dir: dirname(req.resolve(`${entry}/${file}`)) };
    } catch {
      // not resolvable this way (missing, or hidden by the package's "exports"): try the next
    }
  }
  if (existsSync(resolve(from, entry))) return { dir: resolve(from, entry) };
  return {
    problem: {
      file: entry,
      path: '(pack)',
      reason: `no folder or installed package "${entry}" (OBS_SCENARIO_PACKS lists paths or package names)`,
    },
  };
}

async function readManifest(
  dir: string,
  platformVersion: string,
): Promise<{ manifest: PackManifest } | { problems: PackProblem[] }> {
  const file = shown(join(dir, packManifestFile));
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(dir, packManifestFile), 'utf8'));
  } catch (err) {
    const reason =
      (err as NodeJS.ErrnoException).code === 'ENOENT'
        ? `missing ${packManifestFile}`
        : `not valid JSON: ${(err as Error).message}`;
    return { problems: [{ file, path: '(root)', reason }] };
  }
  const parsed = packManifestSchema.safeParse(raw);
  if (!parsed.success)
    return {
      problems: issuesFrom(parsed.error.issues).map((i) => ({ file, path: i.path, reason: i.message })),
    };
  const m = parsed.data;
  if (!semver.satisfies(platformVersion, m.platform, { includePrerelease: true })) {
    return {
      problems: [
        {
          file,
          path: 'platform',
          reason: `pack ${m.name}@${m.version} supports ObservaStack ${m.platform}, this is ${platformVersion}`,
        },
      ],
    };
  }
  return { manifest: m };
}

/** Loads one pack folder; never throws. */
export async function loadPack(
  dir: string,
  version: string = platformVersion,
): Promise<{ pack?: LoadedPack; scenarios: Scenario[]; problems: PackProblem[] }> {
  const read = await readManifest(dir, version);
  if ('problems' in read) return { scenarios: [], problems: read.problems };
  const { manifest } = read;
  const scenariosDir = join(dir, 'scenarios');
  if (!(await isDir(scenariosDir))) {
    return {
      scenarios: [],
      problems: [
        { file: shown(scenariosDir), path: '(pack)', reason: 'a pack keeps its scenario YAML in a scenarios/ folder' },
      ],
    };
  }
  const code = (await readdir(scenariosDir, { recursive: true })).filter((f) => codeFile.test(f));
  if (code.length > 0) {
    return {
      scenarios: [],
      problems: [
        {
          file: shown(scenariosDir),
          path: '(pack)',
          reason: `packs are data only; refusing a pack with code files: ${code.join(', ')}`,
        },
      ],
    };
  }
  const namespace = manifest.name.replace(/^@[^/]+\//, '');
  try {
    const loaded = await loadScenarios(scenariosDir, namespace);
    const problems = loaded.problems.map((p: ScenarioProblem) => ({ file: p.file, path: p.path, reason: p.message }));
    return {
      pack: { manifest, dir, namespace, scenarioIds: loaded.scenarios.map((s) => s.id) },
      scenarios: loaded.scenarios,
      problems,
    };
  } catch (err) {
    return { scenarios: [], problems: [{ file: shown(scenariosDir), path: '(pack)', reason: (err as Error).message }] };
  }
}

/**
 * Finds scenario packs (every folder under `dirs`, plus each entry of `packs`), validates their manifests and
 * loads their YAML through the same loader as the built-in scenarios, ids namespaced `pack/id`. A broken pack
 * or file is reported with file, path and reason and skipped; this never throws and never runs pack code.
 */
export async function loadPacks(o: LoadPacksOptions): Promise<LoadedPacks> {
  const from = o.resolveFrom ?? process.cwd();
  const problems: PackProblem[] = [];
  const candidates: string[] = [];
  for (const d of o.dirs ?? [builtInPacksDir]) {
    const entries = await readdir(d, { withFileTypes: true }).catch(() => []);
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name)))
      if (e.isDirectory()) candidates.push(join(d, e.name));
  }
  for (const entry of o.packs ?? []) {
    const where = locate(entry, from);
    if ('problem' in where) problems.push(where.problem);
    else if (!(await isDir(where.dir)))
      problems.push({ file: entry, path: '(pack)', reason: `"${where.dir}" is not a folder` });
    else candidates.push(where.dir);
  }

  const packs: LoadedPack[] = [];
  const scenarios: Scenario[] = [];
  const seenDirs = new Set<string>();
  const taken = new Set(o.takenIds ?? []);
  for (const dir of candidates) {
    if (seenDirs.has(resolve(dir))) continue;
    seenDirs.add(resolve(dir));
    const r = await loadPack(dir, o.platformVersion ?? platformVersion);
    problems.push(...r.problems);
    if (!r.pack) continue;
    if (packs.some((p) => p.namespace === r.pack!.namespace)) {
      problems.push({
        file: shown(join(dir, packManifestFile)),
        path: 'name',
        reason: `another pack already uses the namespace "${r.pack.namespace}"`,
      });
      continue;
    }
    const kept = r.scenarios.filter((s) => {
      if (!taken.has(s.id)) return true;
      problems.push({ file: s.source, path: 'id', reason: `scenario id "${s.id}" is already taken` });
      return false;
    });
    for (const s of kept) taken.add(s.id);
    packs.push({ ...r.pack, scenarioIds: kept.map((s) => s.id) });
    scenarios.push(...kept);
  }
  return { packs, scenarios, problems };
}

export function formatPackProblems(problems: PackProblem[]): string {
  return problems.map((p) => `${p.file}: ${p.path}: ${p.reason}`).join('\n');
}

/**
 * The scenarios a platform offers: the built-in ones of `dir`, then the community packs found in `dir/packs` or
 * named in `packs` (OBS_SCENARIO_PACKS); data only, validated like built-in scenarios, ids namespaced `pack/id`.
 * A broken scenario or pack is reported among the problems and skipped.
 */
export async function loadLibrary(
  dir: string,
  packs: string[],
): Promise<{ scenarios: Scenario[]; problems: ScenarioProblem[] }> {
  const builtIn = await loadScenarios(resolve(dir));
  const fromPacks = await loadPacks({
    dirs: [resolve(dir, 'packs')],
    packs,
    takenIds: builtIn.scenarios.map((s) => s.id),
  });
  return {
    scenarios: [...builtIn.scenarios, ...fromPacks.scenarios],
    problems: [
      ...builtIn.problems,
      ...fromPacks.problems.map((p) => ({ file: p.file, path: p.path, message: p.reason })),
    ],
  };
}
