import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startIsolatedSut, type TestSut } from '../../../test-support/sut-harness.ts';
import { postJson } from '../../common/test/helpers/http.ts';
import { reservedOf, shopCounts, withDb } from '../../common/test/helpers/shop-db.ts';

let sut: TestSut & { db: { url: string } };
beforeAll(async () => {
  sut = await startIsolatedSut(inject('pgAdminUrl'));
  // A product whose stock is all reserved (out of stock), and an order-items insert that fails for product 9:
  // both happen after inventory reserved stock, to see the checkout undo everything.
  await withDb(sut.db.url, async (c) => {
    await c.query('UPDATE inventory.stock SET reserved = quantity WHERE product_id = 7');
    await c.query(`CREATE FUNCTION shop.fail_for_nine() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.product_id = 9 THEN RAISE EXCEPTION 'order item refused by test trigger'; END IF; RETURN NEW; END $$`);
    await c.query(
      'CREATE TRIGGER fail_for_nine BEFORE INSERT ON shop.order_items FOR EACH ROW EXECUTE FUNCTION shop.fail_for_nine()',
    );
  });
});
afterAll(async () => {
  await sut?.stop();
});

const order = (items: { productId: number; quantity: number }[], customerId = 'checkout-test') =>
  postJson(`${sut.urls.gateway}/api/orders`, { customerId, items });

describe('checkout', () => {
  it('reserves stock and writes the order with its items', async () => {
    const before = await shopCounts(sut.db.url);
    const [r3, r4] = [await reservedOf(sut.db.url, 3), await reservedOf(sut.db.url, 4)];
    const r = await order([
      { productId: 3, quantity: 2 },
      { productId: 4, quantity: 5 },
    ]);
    expect(r.status).toBe(201);
    const id = r.json.order.id;

    expect(await reservedOf(sut.db.url, 3)).toBe(r3 + 2);
    expect(await reservedOf(sut.db.url, 4)).toBe(r4 + 5);
    const after = await shopCounts(sut.db.url);
    expect(after).toEqual({
      ...before,
      orders: before.orders + 1,
      orderItems: before.orderItems + 2,
      reservations: before.reservations + 1,
      reservationItems: before.reservationItems + 2,
      reservedUnits: before.reservedUnits + 7,
    });

    await withDb(sut.db.url, async (c) => {
      const o = (
        await c.query(
          'SELECT customer_id, status, total_cents::int AS total, reservation_id::int AS rid FROM shop.orders WHERE id = $1',
          [id],
        )
      ).rows[0];
      expect(o).toMatchObject({ customer_id: 'checkout-test', status: 'confirmed', total: r.json.order.totalCents });
      const items = (
        await c.query(
          'SELECT product_id, quantity, unit_price_cents FROM shop.order_items WHERE order_id = $1 ORDER BY product_id',
          [id],
        )
      ).rows;
      expect(items.map((i) => [i.product_id, i.quantity])).toEqual([
        [3, 2],
        [4, 5],
      ]);
      expect(items.reduce((s, i) => s + i.quantity * i.unit_price_cents, 0)).toBe(o.total);
      // The order points at the reservation inventory made, holding the same items on real stock rows.
      const res = (
        await c.query(
          `SELECT ri.product_id, ri.quantity, s.product_id AS stock_product
        FROM inventory.reservation_items ri JOIN inventory.stock s ON s.id = ri.stock_id WHERE ri.reservation_id = $1 ORDER BY ri.product_id`,
          [o.rid],
        )
      ).rows;
      expect(res).toEqual([
        { product_id: 3, quantity: 2, stock_product: 3 },
        { product_id: 4, quantity: 5, stock_product: 4 },
      ]);
    });
  });

  it('answers 409 when stock runs out and leaves no order and no reservation', async () => {
    const before = await shopCounts(sut.db.url);
    const r8 = await reservedOf(sut.db.url, 8);
    const r = await order([
      { productId: 8, quantity: 1 },
      { productId: 7, quantity: 1 },
    ]);
    expect(r.status).toBe(409);
    expect(r.json.error.message).toMatch(/not enough stock for product 7/);
    expect(await reservedOf(sut.db.url, 8)).toBe(r8);
    expect(await shopCounts(sut.db.url)).toEqual(before);
  });

  it('rolls the order back and releases the reservation when writing the order fails', async () => {
    const before = await shopCounts(sut.db.url);
    const r = await order(
      [
        { productId: 10, quantity: 1 },
        { productId: 9, quantity: 1 },
      ],
      'rollback-test',
    );
    expect(r.status).toBe(500);
    // No half-written order (the orders row was inserted before the failing item, in the same transaction),
    // and the compensation gave the stock back.
    expect(await shopCounts(sut.db.url)).toEqual(before);
    await withDb(sut.db.url, async (c) => {
      expect(
        (await c.query(`SELECT count(*)::int AS n FROM shop.orders WHERE customer_id = 'rollback-test'`)).rows[0].n,
      ).toBe(0);
    });
    const log = await sut.waitForLog((e) => e.service === 'api' && e.json?.customerId === 'rollback-test');
    expect(log.json?.msg).toMatch(/^checkout failed: .*refused by test trigger/);
  });

  it('concurrent checkouts each reserve their own units', async () => {
    const before = await reservedOf(sut.db.url, 11);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => order([{ productId: 11, quantity: 1 }], `c-${i}`)),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect(new Set(results.map((r) => r.json.order.id)).size).toBe(8);
    expect(await reservedOf(sut.db.url, 11)).toBe(before + 8);
  });
});
