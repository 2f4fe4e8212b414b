/** The capacity the e2e platform is given (OBS_CALIBRATION), which the lessons show. */
export const e2eCapacityRps = '600';

/** Addresses the global setup chose; read by the tests (the setup exports them through process.env). */
export const e2e = {
  /** The orchestrator, serving the site at / and the API. */
  get base() {
    return need('E2E_BASE_URL');
  },
  /** A separate static server with a build that points at the orchestrator (cross-origin). */
  get staticBase() {
    return need('E2E_STATIC_URL');
  },
  /** A static server with a build that points at its own origin, where no backend runs. */
  get downBase() {
    return need('E2E_DOWN_URL');
  },
  get distDir() {
    return need('E2E_DIST_DIR');
  },
  /** The public URL with the learner key, as the start banner printed it (`https://<port>-test.gitpod.example/?key=…`). */
  get publicKeyUrl() {
    return need('E2E_PUBLIC_KEY_URL');
  },
};

function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the suite with \`npm run test:e2e\` (the global setup sets it)`);
  return v;
}
