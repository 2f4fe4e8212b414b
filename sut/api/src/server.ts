import { createLogger } from '@observastack/sut-common/logger.ts';
import { loadOrCreateSecret } from '@observastack/sut-common/auth/secret.ts';
import { runUntilSignal } from '@observastack/sut-common/http/lifecycle.ts';
import { loadApiEnv } from './config.ts';
import { buildApi } from './app.ts';

const env = loadApiEnv();
const logger = createLogger('api', env.OBS_LOG_LEVEL);
const secret = await loadOrCreateSecret(env.OBS_JWT_SECRET_FILE);
const api = await buildApi({
  databaseUrl: env.DATABASE_URL,
  inventoryUrl: env.OBS_INVENTORY_URL,
  logger,
  secret,
  release: env.OBS_API_RELEASE,
});
await runUntilSignal({
  logger,
  listeners: [{ app: api.app, host: env.OBS_HOST, port: env.OBS_API_PORT, name: 'api' }],
  reusePort: env.OBS_REUSE_PORT,
  admin: {
    service: 'api',
    host: env.OBS_HOST,
    port: env.OBS_API_ADMIN_PORT,
    secret,
    logger,
    logLevel: env.OBS_LOG_LEVEL,
    config: api.context.config as never,
    metrics: api.metrics,
    ready: api.ready,
    schema: { module: new URL('./runtime-config.ts', import.meta.url), exportName: 'apiConfigSchema' },
  },
  close: api.close,
});
