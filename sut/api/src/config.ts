import { z } from 'zod';
import { commonEnvShape, parseEnv, portFrom } from '@observastack/sut-common/config/env.ts';
import { apiReleaseVersions, defaultApiRelease } from './releases.ts';

export const apiEnvSchema = z.object({
  ...commonEnvShape,
  OBS_API_PORT: portFrom(8081).describe(
    'Shop routes under /api/* and, for compatibility, the admin routes (internal network only).',
  ),
  OBS_API_ADMIN_PORT: portFrom(8091).describe(
    'Admin routes (/config, /config/schema, /metrics, /healthz) served by the admin thread.',
  ),
  OBS_INVENTORY_URL: z.url().default('http://127.0.0.1:8082').describe('Base URL of the inventory service.'),
  DATABASE_URL: z.string().min(1).describe('PostgreSQL connection string (schema shop).'),
  OBS_API_RELEASE: z
    .enum(apiReleaseVersions)
    .default(defaultApiRelease)
    .describe('The release of the api this process runs (a deploy changes it; see src/releases.ts).'),
});
export type ApiEnv = z.infer<typeof apiEnvSchema>;
export const loadApiEnv = (): ApiEnv => parseEnv(apiEnvSchema);
