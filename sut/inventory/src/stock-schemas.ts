import { z } from 'zod';

export const productParamSchema = z
  .object({
    productId: z.coerce.number().int().min(1).max(2_147_483_647),
  })
  .strict();

export const reservationRequestSchema = z
  .object({
    orderRef: z
      .string()
      .regex(/^[A-Za-z0-9-]{8,64}$/)
      .describe('Idempotency key of the order.'),
    items: z
      .array(
        z
          .object({
            productId: z.number().int().min(1).max(2_147_483_647),
            quantity: z.number().int().min(1).max(10),
          })
          .strict(),
      )
      .min(1)
      .max(20),
  })
  .strict();

export const orderRefParamSchema = z.object({ orderRef: z.string().regex(/^[A-Za-z0-9-]{8,64}$/) }).strict();
