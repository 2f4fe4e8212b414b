import { z } from 'zod';

/** The inventory's runtime knobs; defaults are the healthy state. */
export const inventoryConfigSchema = z.object({
  dbPoolMax: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(10)
    .describe('PostgreSQL connections the inventory may hold at once.'),
  stockIndex: z
    .enum(['present', 'dropped'])
    .default('present')
    .describe(
      'The stock lookup index on inventory.stock(product_id). Changing it runs real DDL: DROP INDEX / CREATE INDEX.',
    ),
  slowQueryThresholdMs: z
    .number()
    .int()
    .min(10)
    .max(10_000)
    .default(200)
    .describe('Statements slower than this are logged as "slow query" warnings with their SQL.'),
});
export type InventoryConfig = z.infer<typeof inventoryConfigSchema>;
