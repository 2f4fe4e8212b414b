import type { z } from 'zod';
import { gatewayConfigSchema } from '@observastack/gateway/runtime-config';
import { apiConfigSchema } from '@observastack/api/runtime-config';
import { inventoryConfigSchema } from '@observastack/inventory/runtime-config';

/** Every SUT service's runtime-config schema: the knobs a scenario may turn and a learner may fix. */
export const knobSchemas = {
  gateway: gatewayConfigSchema,
  api: apiConfigSchema,
  inventory: inventoryConfigSchema,
} as const satisfies Record<string, z.ZodObject>;

export type KnobService = keyof typeof knobSchemas;
export const knobServices = Object.keys(knobSchemas) as KnobService[];
