import { z } from 'zod';

export const pageSize = 12;

/** A whole number written in plain decimal digits (no `1e3`, `0x10`, spaces), then range-checked. */
const decimal = (n: z.ZodNumber) =>
  z
    .string()
    .regex(/^\d{1,10}$/, 'expected a whole number in decimal digits')
    .transform(Number)
    .pipe(n);

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's purpose.
const noControlCharacters = /^[^\u0000-\u001f\u007f]*$/;

export const productListQuerySchema = z
  .object({
    // PostgreSQL text cannot hold NUL: control characters are refused here rather than failing the query.
    search: z
      .string()
      .trim()
      .max(100)
      .regex(noControlCharacters, 'control characters are not allowed')
      .optional()
      .describe('Case-insensitive text to find in product names.'),
    page: decimal(z.number().int().min(1).max(500)).default(1).describe('1-based page of 12 products.'),
  })
  .strict();

export const productIdSchema = z
  .object({
    id: decimal(z.number().int().min(1).max(2_147_483_647)).describe('Product id.'),
  })
  .strict();

export const orderItemSchema = z
  .object({
    productId: z.number().int().min(1).max(2_147_483_647),
    quantity: z.number().int().min(1).max(10).describe('Units of this product, 1..10.'),
  })
  .strict();

export const orderRequestSchema = z
  .object({
    customerId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and -, at most 64')
      .describe('Who orders.'),
    items: z
      .array(orderItemSchema)
      .min(1)
      .max(20)
      .refine((items) => new Set(items.map((i) => i.productId)).size === items.length, 'each product may appear once'),
  })
  .strict();
export type OrderRequest = z.infer<typeof orderRequestSchema>;
