/**
 * The api's releases: the code a process runs, chosen when it starts (`OBS_API_RELEASE`), never a runtime knob.
 * Changing it is a deploy: the orchestrator rolls a new process out (docs/api.md, "Fix actions"). The notes are
 * what the team wrote when they shipped it, nothing more.
 */
export const apiReleases = [
  {
    version: '2026.11.3',
    notes: 'Checkout retries inventory reservations once on a connection reset. Dependency updates.',
  },
  {
    version: '2026.12.1',
    notes:
      'Price badges: catalogue pages keep each product’s 150-day price trend and refresh its badge ("price dropped") when prices are refreshed.',
  },
] as const;

export type ApiRelease = (typeof apiReleases)[number]['version'];
export const apiReleaseVersions = apiReleases.map((r) => r.version) as [ApiRelease, ...ApiRelease[]];
/** The release a fresh shop runs. */
export const defaultApiRelease: ApiRelease = '2026.11.3';
/** Releases with price badges (the code in pricing/price-badges.ts). */
export const hasPriceBadges = (release: ApiRelease): boolean => release === '2026.12.1';
