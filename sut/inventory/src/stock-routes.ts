import type { FastifyInstance } from 'fastify';
import { HttpError } from '@observastack/sut-common/errors.ts';
import { parseOr400 } from '@observastack/sut-common/http/service-app.ts';
import type { DbPool } from '@observastack/sut-common/db/pool.ts';
import type { Logger } from '@observastack/sut-common/logger.ts';
import { orderRefParamSchema, productParamSchema, reservationRequestSchema } from './stock-schemas.ts';
import { boundLockWaits } from './lock-timeout.ts';

export interface StockContext {
  db: DbPool;
  logger: Logger;
  slowQueryThresholdMs(): number;
}

export function registerStockRoutes(app: FastifyInstance, ctx: StockContext): void {
  /** Times a statement and logs it as a slow query over the threshold (the evidence of a missing index). */
  const timed = async <T>(sql: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const out = await fn();
    const ms = performance.now() - t0;
    if (ms > ctx.slowQueryThresholdMs()) ctx.logger.warn({ duration_ms: Math.round(ms), statement: sql }, 'slow query');
    return out;
  };

  const lookupSql =
    'SELECT coalesce(sum(quantity - reserved), 0)::int AS available, count(*)::int AS warehouses FROM inventory.stock WHERE product_id = $1';
  app.get('/inventory/stock/:productId', async (req) => {
    const { productId } = parseOr400(productParamSchema, req.params, 'product id');
    const [row] = await timed(lookupSql, () =>
      ctx.db.query<{ available: number; warehouses: number }>('stock_lookup', lookupSql, [productId]),
    );
    if (row.warehouses === 0)
      throw new HttpError(`no stock record for product ${productId}`, { code: 'not_found', status: 404 });
    return { productId, ...row };
  });

  const pickSql = `SELECT id FROM inventory.stock WHERE product_id = $1 AND quantity - reserved >= $2
                    ORDER BY quantity - reserved DESC LIMIT 1 FOR UPDATE SKIP LOCKED`;
  app.post('/inventory/reservations', async (req, reply) => {
    const body = parseOr400(reservationRequestSchema, req.body, 'reservation');
    const result = await ctx.db.transaction(async (txn) => {
      const tx = await boundLockWaits(txn, ctx.logger);
      const [res] = await tx.query<{ id: string }>(
        'reservation_insert',
        'INSERT INTO inventory.reservations (order_ref) VALUES ($1) ON CONFLICT (order_ref) DO NOTHING RETURNING id',
        [body.orderRef],
      );
      if (!res)
        throw new HttpError(`order ${body.orderRef} already has a reservation`, { code: 'duplicate', status: 409 });
      for (const item of body.items) {
        const [stock] = await timed(pickSql, () =>
          tx.query<{ id: string }>('stock_pick', pickSql, [item.productId, item.quantity]),
        );
        if (!stock)
          throw new HttpError(`not enough stock for product ${item.productId}`, { code: 'out_of_stock', status: 409 });
        await tx.query('stock_reserve', 'UPDATE inventory.stock SET reserved = reserved + $2 WHERE id = $1', [
          stock.id,
          item.quantity,
        ]);
        await tx.query(
          'reservation_item_insert',
          'INSERT INTO inventory.reservation_items (reservation_id, stock_id, product_id, quantity) VALUES ($1, $2, $3, $4)',
          [res.id, stock.id, item.productId, item.quantity],
        );
      }
      return { reservationId: Number(res.id) };
    });
    return reply.code(201).send(result);
  });

  app.delete('/inventory/reservations/:orderRef', async (req, reply) => {
    const { orderRef } = parseOr400(orderRefParamSchema, req.params, 'order ref');
    const released = await ctx.db.transaction(async (txn) => {
      const tx = await boundLockWaits(txn, ctx.logger);
      const items = await tx.query<{ stock_id: string; quantity: number }>(
        'reservation_release',
        `DELETE FROM inventory.reservation_items ri USING inventory.reservations r
          WHERE r.id = ri.reservation_id AND r.order_ref = $1 RETURNING ri.stock_id, ri.quantity`,
        [orderRef],
      );
      for (const i of items)
        await tx.query('stock_unreserve', 'UPDATE inventory.stock SET reserved = reserved - $2 WHERE id = $1', [
          i.stock_id,
          i.quantity,
        ]);
      await tx.query('reservation_delete', 'DELETE FROM inventory.reservations WHERE order_ref = $1', [orderRef]);
      return items.length;
    });
    if (released === 0) throw new HttpError(`no reservation for order ${orderRef}`, { code: 'not_found', status: 404 });
    return reply.code(204).send();
  });
}
