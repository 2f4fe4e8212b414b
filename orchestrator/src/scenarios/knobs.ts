import type { z } from 'zod';
import { gatewayConfigSchema } from '../../../sut/gateway/src/runtime-config.ts';
import { apiConfigSchema } from '../../../sut/api/src/runtime-config.ts';
import { inventoryConfigSchema } from '../../../sut/inventory/src/runtime-config.ts';

/** Every SUT service's runtime-config schema: the knobs a scenario may turn and a learner may fix. */
export const knobSchemas = {
  gateway: gatewayConfigSchema,
  api: apiConfigSchema,
  inventory: inventoryConfigSchema,
} as const satisfies Record<string, z.ZodObject>;

export type KnobService = keyof typeof knobSchemas;
export const knobServices = Object.keys(knobSchemas) as KnobService[];
