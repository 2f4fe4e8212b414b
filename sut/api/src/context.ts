import type { Counter } from 'prom-client';
import type { DbPool } from '@observastack/sut-common/db/pool.ts';
import type { RuntimeConfig } from '@observastack/sut-common/config/runtime-config.ts';
import type { Logger } from '@observastack/sut-common/logger.ts';
import type { ApiConfig } from './runtime-config.ts';
import type { InventoryClient } from './inventory-client.ts';
import type { RecommendationPool } from './recommendations/worker-pool.ts';
import type { ApiRelease } from './releases.ts';
import type { PriceBadges } from './pricing/price-badges.ts';

/** What the api's routes share: typed config, the real resources, and metrics. */
export interface ApiContext {
  config: RuntimeConfig<ApiConfig>;
  db: DbPool;
  inventory: InventoryClient;
  recommendations: RecommendationPool;
  logger: Logger;
  orders: Counter<'outcome'>;
  price(product: { id: number; basePriceCents: number }): number;
  /** The release this process runs, and its price badges when it has them. */
  release: ApiRelease;
  badges: PriceBadges | null;
}
