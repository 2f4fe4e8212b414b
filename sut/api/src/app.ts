import type { FastifyInstance } from 'fastify';
import { Counter, Histogram } from 'prom-client';
import { createServiceApp } from '@observastack/sut-common/http/service-app.ts';
import { registerAdminRoutes } from '@observastack/sut-common/http/admin-routes.ts';
import { createRuntimeConfig } from '@observastack/sut-common/config/runtime-config.ts';
import { createServiceMetrics, latencyBuckets, type ServiceMetrics } from '@observastack/sut-common/metrics.ts';
import { DbPool } from '@observastack/sut-common/db/pool.ts';
import type { Logger } from '@observastack/sut-common/logger.ts';
import { apiConfigSchema } from './runtime-config.ts';
import { InventoryClient } from './inventory-client.ts';
import { RecommendationPool } from './recommendations/worker-pool.ts';
import { computePrice } from './pricing/engine.ts';
import { ClientGoneError, requestSignal } from '@observastack/sut-common/http/request-signal.ts';
import type { ApiContext } from './context.ts';
import { defaultApiRelease, hasPriceBadges, type ApiRelease } from './releases.ts';
import { PriceBadges } from './pricing/price-badges.ts';
import { registerCatalogRoutes } from './routes/catalog-routes.ts';
import { registerOrderRoutes } from './routes/order-routes.ts';

export interface ApiOptions {
  databaseUrl: string;
  inventoryUrl: string;
  logger: Logger;
  secret: Uint8Array;
  /** The release this process runs (OBS_API_RELEASE); build_info's version. */
  release?: ApiRelease;
}

export async function buildApi(opts: ApiOptions): Promise<{
  app: FastifyInstance;
  context: ApiContext;
  metrics: ServiceMetrics;
  ready(): Promise<void>;
  close(): Promise<void>;
}> {
  const metrics = createServiceMetrics('api');
  const release = opts.release ?? defaultApiRelease;
  const version = release;
  const pricingTime = new Histogram({
    name: 'pricing_compute_seconds',
    help: 'Time to compute one price.',
    labelNames: ['pricing_version'],
    buckets: latencyBuckets,
    registers: [metrics.registry],
  });
  const orders = new Counter({
    name: 'shop_orders_total',
    help: 'Checkouts by outcome.',
    labelNames: ['outcome'],
    registers: [metrics.registry],
  });
  let db: DbPool | undefined;
  let recommendations: RecommendationPool | undefined;

  const config = await createRuntimeConfig({
    schema: apiConfigSchema,
    logger: opts.logger,
    metrics,
    resourceKeys: ['workerPoolSize', 'dbPoolMax'],
    apply: (next) => {
      db ??= new DbPool({ url: opts.databaseUrl, service: 'api', max: next.dbPoolMax, metrics });
      db.resize(next.dbPoolMax);
      recommendations ??= new RecommendationPool(next.workerPoolSize, metrics);
      recommendations.resize(next.workerPoolSize);
      metrics.buildInfo.reset();
      metrics.buildInfo.set({ version, pricing_version: next.pricingVersion }, 1);
    },
  });

  const context: ApiContext = {
    config,
    db: db!,
    inventory: new InventoryClient(opts.inventoryUrl),
    recommendations: recommendations!,
    logger: opts.logger,
    orders,
    price: (product) => {
      // A user who gave up (the gateway closed the connection) needs no price: under a CPU-bound overload the
      // pages nobody waits for would otherwise take the core from those still waiting.
      if (requestSignal()?.aborted) throw new ClientGoneError();
      return computePrice(config.get().pricingVersion, product, pricingTime);
    },
    release,
    badges: hasPriceBadges(release) ? new PriceBadges() : null,
  };
  opts.logger.info({ release }, 'release');

  await context.db.warm().catch((err) => opts.logger.warn({ err }, 'could not pre-open DB connections'));
  const app = createServiceApp({ logger: opts.logger, metrics });
  registerCatalogRoutes(app, context);
  registerOrderRoutes(app, context);
  const ready = async () => void (await context.db.query('health', 'SELECT 1'));
  registerAdminRoutes(app, { service: 'api', config: config as never, metrics, secret: opts.secret, ready });

  return {
    app,
    context,
    metrics,
    ready,
    close: async () => {
      await app.close();
      await Promise.all([context.recommendations.close(), context.inventory.close(), context.db.close()]);
    },
  };
}
