// Loads the stack's compose files the way `docker compose` does for the checks in this folder: variables from
// stack/.env, `${VAR}` interpolation, YAML merge keys, and the files merged in order.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { parse } from 'yaml';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const stackDir = join(repoRoot, 'stack');
export const composeFiles = ['compose.yaml', 'compose.observability.yaml'] as const;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  ports?: string[];
  networks?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { resources?: { limits?: { cpus?: string; memory?: string } } };
  restart?: string;
  secrets?: string[];
  volumes?: string[];
  logging?: { driver: string; options?: Record<string, string> };
  [key: string]: unknown;
}
export interface ComposeModel {
  services: Record<string, ComposeService>;
  networks?: Record<string, { internal?: boolean } | null>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { file?: string }>;
}

/** Variables from stack/.env, as compose reads them from the project directory. */
export function stackEnv(): Record<string, string> {
  return parseEnv(readFileSync(join(stackDir, '.env'), 'utf8')) as Record<string, string>;
}

// Compose interpolation is specified by the compose-spec and implemented in Go (compose-go); no npm package
// implements it, so the subset the stack uses is written out here: $$, $VAR, ${VAR}, ${VAR:-d}, ${VAR-d},
// ${VAR:?e}, ${VAR?e}, ${VAR:+a}, ${VAR+a}.
export function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(
    /\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (
      whole,
      _x,
      braced: string | undefined,
      op: string | undefined,
      arg: string | undefined,
      bare: string | undefined,
    ) => {
      if (whole === '$$') return '$';
      const name = (braced ?? bare) as string;
      const value = env[name];
      const set = value !== undefined;
      const nonEmpty = set && value !== '';
      switch (op) {
        case undefined:
          if (!set) throw new Error(`variable ${name} is not set`);
          return value as string;
        case ':-':
          return nonEmpty ? (value as string) : (arg ?? '');
        case '-':
          return set ? (value as string) : (arg ?? '');
        case ':?':
          if (!nonEmpty) throw new Error(`${name}: ${arg}`);
          return value as string;
        case '?':
          if (!set) throw new Error(`${name}: ${arg}`);
          return value as string;
        case ':+':
          return nonEmpty ? (arg ?? '') : '';
        case '+':
          return set ? (arg ?? '') : '';
        default:
          throw new Error(`unsupported interpolation ${whole}`);
      }
    },
  );
}

/** One compose file, interpolated, merge keys resolved, `x-` extension fields kept. */
export function loadComposeFile(name: string, env: Record<string, string> = stackEnv()): ComposeModel {
  const raw = readFileSync(join(stackDir, name), 'utf8');
  return parse(interpolate(raw, env), { merge: true }) as ComposeModel;
}

const unionKeys = new Set(['networks', 'secrets', 'cap_drop', 'security_opt']);
const appendKeys = new Set(['ports', 'volumes']);

// The compose-spec merge rules for the fields the stack uses: mappings merge, sequences of names union,
// ports and volumes append, scalars are replaced.
function mergeValue(key: string, a: unknown, b: unknown): unknown {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (unionKeys.has(key)) return [...new Set([...a, ...b])];
    if (appendKeys.has(key)) return [...a, ...b];
    return b;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
    for (const [k, v] of Object.entries(b as Record<string, unknown>)) out[k] = k in out ? mergeValue(k, out[k], v) : v;
    return out;
  }
  return b;
}

/** The stack as `docker compose -f stack/compose.yaml -f stack/compose.observability.yaml` sees it. */
export function loadStack(env: Record<string, string> = stackEnv()): ComposeModel {
  return composeFiles.map((f) => loadComposeFile(f, env)).reduce((a, b) => mergeValue('', a, b) as ComposeModel);
}

/** Long-running services: everything but one-shots (`restart: "no"`). */
export function longRunning(model: ComposeModel): [string, ComposeService][] {
  return Object.entries(model.services).filter(([, s]) => s.restart !== 'no');
}
