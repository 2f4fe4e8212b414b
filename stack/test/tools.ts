import { spawnSync } from 'node:child_process';

/** The path of a command-line tool when it runs here, else undefined (tests skip with that reason). */
export function findTool(candidates: string[], versionArgs: string[]): string | undefined {
  return candidates.find((c) => {
    const r = spawnSync(c, versionArgs, { encoding: 'utf8', timeout: 20_000 });
    return r.status === 0;
  });
}
