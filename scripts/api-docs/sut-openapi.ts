import { z } from 'zod';
import { buildOpenApi, type ApiOp } from '../../orchestrator/src/api/openapi-builder.ts';
import { gatewayConfigSchema } from '@observastack/gateway/runtime-config';
import { apiConfigSchema } from '@observastack/api/runtime-config';
import { inventoryConfigSchema } from '@observastack/inventory/runtime-config';
import { orderRequestSchema, productIdSchema, productListQuerySchema } from '../../sut/api/src/routes/shop-schemas.ts';
import {
  orderRefParamSchema,
  productParamSchema,
  reservationRequestSchema,
} from '../../sut/inventory/src/stock-schemas.ts';

/** The admin routes every SUT service serves on its admin port, from its admin thread (internal network / control path). */
function adminOps(config: z.ZodObject): ApiOp[] {
  const patch = config.partial().strict().describe('Any subset of the knobs; validated whole and applied atomically.');
  const changes = z.object({
    config,
    changes: z.array(z.object({ key: z.string(), from: z.unknown(), to: z.unknown() })),
    pending: z.string().optional().describe('Only with 202: why the change is accepted but not yet in effect.'),
  });
  return [
    {
      method: 'get',
      path: '/healthz',
      summary:
        "Liveness and readiness: 503 while a dependency is down or the main thread's event loop has not turned for 5 s (admin port: the body gives the heartbeat age and the config versions committed and adopted).",
      network: 'control',
      auth: 'none',
    },
    {
      method: 'get',
      path: '/metrics',
      summary:
        "Prometheus metrics (docs/telemetry.md); on the admin port the main thread's latest snapshot plus the admin thread's own admin_* series.",
      network: 'observability',
      auth: 'none',
      produces: 'text/plain',
    },
    {
      method: 'get',
      path: '/config',
      summary: 'The current runtime config.',
      network: 'control',
      auth: 'none',
      response: config,
    },
    {
      method: 'get',
      path: '/config/schema',
      summary: 'JSON Schema of the config: descriptions, defaults, ranges.',
      network: 'control',
      auth: 'none',
    },
    {
      method: 'patch',
      path: '/config',
      summary:
        'Change knobs; checked before the body is read; answers the new config and the changes: 200 once in effect, 202 when accepted but not yet in effect (`pending` says why), 409 when applying it failed (previous config kept).',
      network: 'control',
      auth: 'sut-config',
      body: patch,
      response: changes,
      rateLimited: true,
    },
    {
      method: 'post',
      path: '/config/reset',
      summary: 'Restore every knob to its healthy default.',
      network: 'control',
      auth: 'sut-config',
      response: changes,
      rateLimited: true,
    },
  ];
}

const info = (title: string, description: string, url: string, what: string) => ({
  title,
  description,
  version: '0.1.0',
  servers: [{ url, description: what }],
});

/** OpenAPI 3.1 of each SUT service, from the zod schemas that validate its requests. */
export function buildSutOpenApi() {
  const shop: ApiOp[] = [
    {
      method: 'get',
      path: '/api/products',
      summary: 'A page of 12 products, optionally searched by name.',
      network: 'user',
      auth: 'none',
      query: productListQuerySchema,
    },
    {
      method: 'get',
      path: '/api/products/{id}',
      summary: 'One product with live availability from inventory.',
      network: 'user',
      auth: 'none',
      params: productIdSchema,
    },
    {
      method: 'get',
      path: '/api/recommendations/{id}',
      summary: 'Six products to recommend (CPU work in the worker pool).',
      network: 'user',
      auth: 'none',
      params: productIdSchema,
    },
    {
      method: 'post',
      path: '/api/orders',
      summary: 'Checkout: reserve stock in inventory, then record the order.',
      network: 'user',
      auth: 'none',
      body: orderRequestSchema,
      status: 201,
    },
  ];
  return {
    gateway: buildOpenApi(
      info(
        'ObservaStack gateway',
        'The user gateway: the only entry to the shop (user listener), plus an admin listener.',
        'http://127.0.0.1:8080',
        'user listener (OBS_GATEWAY_PORT); admin routes on 8090 (OBS_GATEWAY_ADMIN_PORT)',
      ),
      [
        {
          method: 'get',
          path: '/api/{path}',
          summary:
            'User listener: proxied to the api service (any method under /api/; `..`, `//` and encoded separators refused). Rate limited by the rateLimitRps knob (429 + Retry-After).',
          network: 'user',
          auth: 'none',
          params: z.object({ path: z.string().describe('The rest of the shop path, e.g. products/1.') }),
        },
        ...adminOps(gatewayConfigSchema),
      ],
    ),
    api: buildOpenApi(
      info(
        'ObservaStack api',
        'Shop routes (reached by users only through the gateway) and admin routes, on one internal listener.',
        'http://127.0.0.1:8081',
        'internal (OBS_API_PORT); admin routes also on the admin port 8091 (OBS_API_ADMIN_PORT), served by the admin thread',
      ),
      [...shop, ...adminOps(apiConfigSchema)],
    ),
    inventory: buildOpenApi(
      info(
        'ObservaStack inventory',
        'Stock lookups and reservations, called by api only, and admin routes.',
        'http://127.0.0.1:8082',
        'internal (OBS_INVENTORY_PORT); admin routes also on the admin port 8092 (OBS_INVENTORY_ADMIN_PORT), served by the admin thread',
      ),
      [
        {
          method: 'get',
          path: '/inventory/stock/{productId}',
          summary: 'Available units of one product across warehouses.',
          network: 'internal',
          auth: 'none',
          params: productParamSchema,
        },
        {
          method: 'post',
          path: '/inventory/reservations',
          summary: 'Reserve stock for an order (idempotent on orderRef: 409 when repeated).',
          network: 'internal',
          auth: 'none',
          body: reservationRequestSchema,
          status: 201,
        },
        {
          method: 'delete',
          path: '/inventory/reservations/{orderRef}',
          summary: "Release an order's reservation.",
          network: 'internal',
          auth: 'none',
          params: orderRefParamSchema,
          status: 204,
        },
        ...adminOps(inventoryConfigSchema),
      ],
    ),
  };
}
