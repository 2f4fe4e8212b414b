import { z } from 'zod';

/** The gateway's runtime knobs; defaults are the healthy state. */
export const gatewayConfigSchema = z.object({
  upstreamPoolSize: z
    .number()
    .int()
    .min(1)
    .max(1024)
    .default(64)
    .describe(
      'Connections the gateway may open to api. Too few and requests queue at the gateway before api sees them.',
    ),
  upstreamTimeoutMs: z
    .number()
    .int()
    .min(20)
    .max(60_000)
    .default(5000)
    .describe('Longest wait for api (queueing for a connection included) before answering 504.'),
  retryCount: z
    .number()
    .int()
    .min(0)
    .max(5)
    .default(0)
    .describe('Extra attempts for idempotent requests (GET) that failed to connect or timed out.'),
  rateLimitRps: z
    .number()
    .int()
    .min(0)
    .max(100_000)
    .default(0)
    .describe(
      'Requests per second admitted to the shop (0 = off). Over the limit the gateway answers 429 with Retry-After.',
    ),
});
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
