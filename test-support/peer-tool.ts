import { spawnSync } from 'node:child_process';

export interface PeerToolOptions {
  /** Paths or names to try, in order. */
  candidates: string[];
  /** Arguments that make the tool print its version and exit 0. */
  versionArgs: string[];
  /** Where it comes from, for the message (e.g. "Debian package prometheus"). */
  source: string;
  /**
   * `.ci/run` installs it, so under CI=true a missing tool is a broken CI setup, not a reason to skip: the call
   * throws, and the test file fails to load with that message instead of reporting skips as a green run.
   */
  requiredInCi?: boolean;
}

/**
 * A real peer command-line tool the tests drive (promtool, kubectl, terraform …): its path when it runs here,
 * else undefined, so a test can `skipIf(!tool)` on a developer's machine that lacks it.
 */
export function peerTool(opts: PeerToolOptions): string | undefined {
  const found = opts.candidates.find(
    (c) => spawnSync(c, opts.versionArgs, { encoding: 'utf8', timeout: 20_000 }).status === 0,
  );
  if (!found && opts.requiredInCi && process.env.CI === 'true') {
    throw new Error(
      `${opts.candidates.at(-1)} is not installed (${opts.source}); .ci/run installs it, so CI cannot skip it`,
    );
  }
  return found;
}

/** A command from a Debian package that .ci/run installs (so CI may not skip it): `/usr/bin/<name>`, then PATH. */
const debianTool =
  (command: string, pkg: string, pathName = command) =>
  () =>
    peerTool({
      candidates: [`/usr/bin/${command}`, pathName],
      versionArgs: ['--version'],
      source: `Debian package ${pkg}`,
      requiredInCi: true,
    });

export const findPromtool = debianTool('promtool', 'prometheus');
export const findAlertmanager = debianTool('prometheus-alertmanager', 'prometheus-alertmanager', 'alertmanager');
export const findAmtool = debianTool('amtool', 'prometheus-alertmanager');
