import { createLogger } from '@observastack/sut-common/logger.ts';
import { loadOrCreateSecret } from '@observastack/sut-common/auth/secret.ts';
import { runUntilSignal } from '@observastack/sut-common/http/lifecycle.ts';
import { loadInventoryEnv } from './config.ts';
import { buildInventory } from './app.ts';

const env = loadInventoryEnv();
const logger = createLogger('inventory', env.OBS_LOG_LEVEL);
const secret = await loadOrCreateSecret(env.OBS_JWT_SECRET_FILE);
const inventory = await buildInventory({ databaseUrl: env.DATABASE_URL, logger, secret });
await runUntilSignal({
  logger,
  listeners: [{ app: inventory.app, host: env.OBS_HOST, port: env.OBS_INVENTORY_PORT, name: 'inventory' }],
  reusePort: env.OBS_REUSE_PORT,
  admin: {
    service: 'inventory',
    host: env.OBS_HOST,
    port: env.OBS_INVENTORY_ADMIN_PORT,
    secret,
    logger,
    logLevel: env.OBS_LOG_LEVEL,
    config: inventory.config as never,
    metrics: inventory.metrics,
    ready: inventory.ready,
    schema: { module: new URL('./runtime-config.ts', import.meta.url), exportName: 'inventoryConfigSchema' },
  },
  close: inventory.close,
});
