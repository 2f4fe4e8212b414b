import { z } from 'zod';
import { commonEnvShape, parseEnv, portFrom } from '@observastack/sut-common/config/env.ts';

export const apiEnvSchema = z.object({
  ...commonEnvShape,
  OBS_API_PORT: portFrom(8081).describe('Shop routes under /api/* and the admin routes (internal network only).'),
  OBS_INVENTORY_URL: z.url().default('http://127.0.0.1:8082').describe('Base URL of the inventory service.'),
  DATABASE_URL: z.string().min(1).describe('PostgreSQL connection string (schema shop).'),
});
export type ApiEnv = z.infer<typeof apiEnvSchema>;
export const loadApiEnv = (): ApiEnv => parseEnv(apiEnvSchema);
