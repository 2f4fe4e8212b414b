import { defineConfig } from '@playwright/test';
import base from '../../playwright.config.ts';

/**
 * The learner journey against the containerized platform (`npm run test:stack` brings the stack up and sets
 * E2E_BASE_URL). Same browser and settings as the embedded e2e suite; no global setup: nothing is started here.
 */
export default defineConfig({
  ...base,
  testDir: './e2e',
  globalSetup: undefined,
  outputDir: '../../test-results/stack-e2e',
});
