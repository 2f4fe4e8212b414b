import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '@observastack/sut-common/errors.ts';
import { parseOr400 } from '@observastack/sut-common/http/service-app.ts';
import type { ApiContext } from '../context.ts';
import { orderRequestSchema } from './shop-schemas.ts';
import { authorizePayment } from '../payment.ts';

export function registerOrderRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post('/api/orders', async (req, reply) => {
    const order = parseOr400(orderRequestSchema, req.body, 'order');
    const ids = order.items.map((i) => i.productId);
    const products = await ctx.db.query<{ id: number; base_price_cents: number }>(
      'order_products',
      'SELECT id, base_price_cents FROM shop.products WHERE id = ANY($1::int[])',
      [ids],
    );
    if (products.length !== ids.length) {
      const known = new Set(products.map((p) => p.id));
      const missing = ids.filter((id) => !known.has(id));
      ctx.orders.inc({ outcome: 'rejected' });
      throw new HttpError('unknown products', {
        code: 'invalid_request',
        status: 400,
        issues: missing.map((id) => ({ path: 'items', message: `product ${id} does not exist` })),
      });
    }
    const prices = new Map(products.map((p) => [p.id, ctx.price({ id: p.id, basePriceCents: p.base_price_cents })]));
    const orderRef = randomUUID();
    const cfg = ctx.config.get();
    let reserved = false;
    try {
      // The checkout transaction holds its connection while inventory reserves the stock and the payment is
      // authorized, as a real "reserve, pay, record" checkout does; a small pool therefore limits checkouts.
      const created = await ctx.db.transaction(async (tx) => {
        const { reservationId } = await ctx.inventory.reserve(orderRef, order.items, cfg.inventoryTimeoutMs);
        reserved = true;
        const total = order.items.reduce((sum, i) => sum + prices.get(i.productId)! * i.quantity, 0);
        await authorizePayment(total);
        const [row] = await tx.query<{ id: string; created_at: Date }>(
          'order_insert',
          `INSERT INTO shop.orders (customer_id, status, total_cents, reservation_id) VALUES ($1, 'confirmed', $2, $3) RETURNING id, created_at`,
          [order.customerId, total, reservationId],
        );
        await tx.query(
          'order_items_insert',
          `INSERT INTO shop.order_items (order_id, product_id, quantity, unit_price_cents)
           SELECT $1, * FROM unnest($2::int[], $3::int[], $4::int[])`,
          [row.id, ids, order.items.map((i) => i.quantity), order.items.map((i) => prices.get(i.productId))],
        );
        return { id: Number(row.id), totalCents: total, createdAt: row.created_at };
      });
      ctx.orders.inc({ outcome: 'created' });
      return reply
        .code(201)
        .send({ order: { ...created, customerId: order.customerId, status: 'confirmed', items: order.items } });
    } catch (err) {
      if (reserved) await ctx.inventory.release(orderRef, cfg.inventoryTimeoutMs);
      const status = err instanceof HttpError ? err.status : 500;
      ctx.orders.inc({ outcome: status < 500 ? 'rejected' : 'failed' });
      ctx.logger.error({ err, orderRef, customerId: order.customerId }, `checkout failed: ${(err as Error).message}`);
      throw err;
    }
  });
}
