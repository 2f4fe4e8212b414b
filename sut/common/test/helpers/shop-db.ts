import pg from 'pg';

/** Runs `fn` with one connection to `url`, closed afterwards. */
export async function withDb<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface ShopCounts {
  orders: number;
  orderItems: number;
  reservations: number;
  reservationItems: number;
  reservedUnits: number;
  products: number;
  stockRows: number;
}

/** Row counts of every table a shop request could write, and the total reserved stock. */
export function shopCounts(url: string): Promise<ShopCounts> {
  return withDb(url, async (c) => {
    const { rows } = await c.query(`SELECT
      (SELECT count(*) FROM shop.orders)::int AS orders,
      (SELECT count(*) FROM shop.order_items)::int AS "orderItems",
      (SELECT count(*) FROM inventory.reservations)::int AS reservations,
      (SELECT count(*) FROM inventory.reservation_items)::int AS "reservationItems",
      (SELECT coalesce(sum(reserved), 0) FROM inventory.stock)::int AS "reservedUnits",
      (SELECT count(*) FROM shop.products)::int AS products,
      (SELECT count(*) FROM inventory.stock)::int AS "stockRows"`);
    return rows[0] as ShopCounts;
  });
}

/** Units reserved of one product across warehouses. */
export function reservedOf(url: string, productId: number): Promise<number> {
  return withDb(
    url,
    async (c) =>
      (
        await c.query('SELECT coalesce(sum(reserved), 0)::int AS n FROM inventory.stock WHERE product_id = $1', [
          productId,
        ])
      ).rows[0].n,
  );
}
