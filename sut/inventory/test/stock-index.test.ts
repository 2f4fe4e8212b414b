import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startIsolatedSut, type TestSut } from '../../../test-support/sut-harness.ts';
import { call, patchConfig } from '../../common/test/helpers/http.ts';
import { sampleValue, scrape } from '../../common/test/helpers/prom-text.ts';
import { withDb } from '../../common/test/helpers/shop-db.ts';

let sut: TestSut & { db: { url: string } };
let token: string;
beforeAll(async () => {
  sut = await startIsolatedSut(inject('pgAdminUrl'));
  token = await sut.token('index-tester');
});
afterAll(async () => {
  await sut?.stop();
});

/** The plan PostgreSQL picks for the inventory's stock lookup. */
const plan = () =>
  withDb(sut.db.url, async (c) => {
    const { rows } = await c.query(
      'EXPLAIN SELECT coalesce(sum(quantity - reserved), 0) FROM inventory.stock WHERE product_id = 1',
    );
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  });
const indexExists = () =>
  withDb(
    sut.db.url,
    async (c) =>
      (await c.query(`SELECT 1 FROM pg_indexes WHERE schemaname = 'inventory' AND indexname = 'stock_product_id_idx'`))
        .rowCount === 1,
  );

describe('inventory stockIndex', () => {
  it('present: the lookup uses the index', async () => {
    expect(await indexExists()).toBe(true);
    expect(await plan()).toMatch(/(Index|Bitmap Index) Scan .*stock_product_id_idx/);
    expect(sampleValue(await scrape(sut.urls.inventory), 'inventory_stock_index_present')).toBe(1);
  });

  it('dropped: real DDL removes the index and the lookup becomes a sequential scan', async () => {
    const r = await patchConfig(sut.urls.inventory, { stockIndex: 'dropped' }, token);
    expect(r.status).toBe(200);
    expect(r.json.changes).toEqual([{ key: 'stockIndex', from: 'present', to: 'dropped' }]);
    expect(await indexExists()).toBe(false);
    const p = await plan();
    expect(p).toMatch(/Seq Scan on stock/);
    expect(p).not.toMatch(/Index/);
    const metrics = await scrape(sut.urls.inventory);
    expect(sampleValue(metrics, 'inventory_stock_index_present')).toBe(0);
    expect(sampleValue(metrics, 'runtime_config_value', { key: 'stockIndex' })).toBe(1);
    // The shop still answers, only slower.
    const view = await call(`${sut.urls.gateway}/api/products/1`);
    expect(view.status).toBe(200);
    expect(view.json.availability).toMatchObject({ productId: 1, warehouses: 250 });
  });

  it('present again: the index is rebuilt and used', async () => {
    const r = await patchConfig(sut.urls.inventory, { stockIndex: 'present' }, token);
    expect(r.status).toBe(200);
    expect(await indexExists()).toBe(true);
    expect(await plan()).toMatch(/(Index|Bitmap Index) Scan .*stock_product_id_idx/);
    expect(sampleValue(await scrape(sut.urls.inventory), 'inventory_stock_index_present')).toBe(1);
    await sut.waitForLog(
      (e) => e.service === 'inventory' && e.json?.msg === 'config changed' && e.json.to === 'present',
    );
  });
});
