import { z } from 'zod';
import { commonEnvShape, parseEnv, portFrom } from '@observastack/sut-common/config/env.ts';

export const inventoryEnvSchema = z.object({
  ...commonEnvShape,
  OBS_INVENTORY_PORT: portFrom(8082).describe('Inventory routes under /inventory/* and the admin routes (internal network only).'),
  DATABASE_URL: z.string().min(1).describe('PostgreSQL connection string (schema inventory).'),
});
export type InventoryEnv = z.infer<typeof inventoryEnvSchema>;
export const loadInventoryEnv = (): InventoryEnv => parseEnv(inventoryEnvSchema);
