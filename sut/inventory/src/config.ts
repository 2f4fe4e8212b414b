import { z } from 'zod';
import { commonEnvShape, parseEnv, portFrom } from '@observastack/sut-common/config/env.ts';

export const inventoryEnvSchema = z.object({
  ...commonEnvShape,
  OBS_INVENTORY_PORT: portFrom(8082).describe(
    'Inventory routes under /inventory/* and, for compatibility, the admin routes (internal network only).',
  ),
  OBS_INVENTORY_ADMIN_PORT: portFrom(8092).describe(
    'Admin routes (/config, /config/schema, /metrics, /healthz) served by the admin thread.',
  ),
  DATABASE_URL: z.string().min(1).describe('PostgreSQL connection string (schema inventory).'),
});
export type InventoryEnv = z.infer<typeof inventoryEnvSchema>;
export const loadInventoryEnv = (): InventoryEnv => parseEnv(inventoryEnvSchema);
