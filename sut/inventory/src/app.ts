import type { FastifyInstance } from 'fastify';
import { Gauge } from 'prom-client';
import { createServiceApp } from '@observastack/sut-common/http/service-app.ts';
import { registerAdminRoutes } from '@observastack/sut-common/http/admin-routes.ts';
import { createRuntimeConfig, type RuntimeConfig } from '@observastack/sut-common/config/runtime-config.ts';
import { createServiceMetrics, type ServiceMetrics } from '@observastack/sut-common/metrics.ts';
import { DbPool } from '@observastack/sut-common/db/pool.ts';
import type { Logger } from '@observastack/sut-common/logger.ts';
import { inventoryConfigSchema, type InventoryConfig } from './runtime-config.ts';
import { setStockIndex } from './stock-index.ts';
import { registerStockRoutes } from './stock-routes.ts';

export interface InventoryOptions {
  databaseUrl: string;
  logger: Logger;
  secret: Uint8Array;
  version?: string;
}

export async function buildInventory(opts: InventoryOptions): Promise<{
  app: FastifyInstance;
  config: RuntimeConfig<InventoryConfig>;
  metrics: ServiceMetrics;
  ready(): Promise<void>;
  close(): Promise<void>;
}> {
  const metrics = createServiceMetrics('inventory');
  metrics.buildInfo.set({ version: opts.version ?? '0.1.0' }, 1);
  let indexPresent = 1;
  new Gauge({
    name: 'inventory_stock_index_present',
    help: '1 while the stock lookup index exists, 0 while dropped.',
    registers: [metrics.registry],
    collect() {
      this.set(indexPresent);
    },
  });
  let db: DbPool | undefined;

  const config = await createRuntimeConfig({
    schema: inventoryConfigSchema,
    logger: opts.logger,
    metrics,
    resourceKeys: ['dbPoolMax', 'stockIndex'],
    apply: async (next, prev, changes) => {
      db ??= new DbPool({ url: opts.databaseUrl, service: 'inventory', max: next.dbPoolMax, metrics });
      db.resize(next.dbPoolMax);
      // At start (no changes yet) the index is made to match the config: a restart heals a dropped index.
      if (changes.length === 0 || next.stockIndex !== prev.stockIndex) {
        await setStockIndex(opts.databaseUrl, next.stockIndex);
        indexPresent = next.stockIndex === 'present' ? 1 : 0;
      }
    },
  });

  await db!.warm().catch((err) => opts.logger.warn({ err }, 'could not pre-open DB connections'));
  const app = createServiceApp({ logger: opts.logger, metrics });
  registerStockRoutes(app, {
    db: db!,
    logger: opts.logger,
    slowQueryThresholdMs: () => config.get().slowQueryThresholdMs,
  });
  const ready = async () => void (await db!.query('health', 'SELECT 1'));
  registerAdminRoutes(app, { service: 'inventory', config: config as never, metrics, secret: opts.secret, ready });

  return {
    app,
    config,
    metrics,
    ready,
    close: async () => {
      await app.close();
      await db!.close();
    },
  };
}
