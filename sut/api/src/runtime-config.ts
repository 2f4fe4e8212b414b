import { z } from 'zod';

export const pricingVersions = ['1.0', '1.1'] as const;

/** The api's runtime knobs; defaults are the healthy state. */
export const apiConfigSchema = z.object({
  pricingVersion: z
    .enum(pricingVersions)
    .default('1.0')
    .describe('Pricing engine release. 1.0 is the stable one; 1.1 is a new robust-pricing algorithm (a "deploy").'),
  workerPoolSize: z
    .number()
    .int()
    .min(1)
    .max(64)
    .default(8)
    .describe(
      'Worker threads computing recommendations. More threads than cores buys concurrency for blocking work, not more CPU.',
    ),
  dbPoolMax: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .describe('PostgreSQL connections the api may hold at once. Checkout holds one for its whole transaction.'),
  inventoryTimeoutMs: z
    .number()
    .int()
    .min(50)
    .max(30_000)
    .default(2000)
    .describe('Longest wait for the inventory service before a product page degrades or a checkout fails.'),
});
export type ApiConfig = z.infer<typeof apiConfigSchema>;
