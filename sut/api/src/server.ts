import { createLogger } from '@observastack/sut-common/logger.ts';
import { loadOrCreateSecret } from '@observastack/sut-common/auth/secret.ts';
import { runUntilSignal } from '@observastack/sut-common/http/lifecycle.ts';
import { loadApiEnv } from './config.ts';
import { buildApi } from './app.ts';

const env = loadApiEnv();
const logger = createLogger('api', env.OBS_LOG_LEVEL);
const api = await buildApi({ databaseUrl: env.DATABASE_URL, inventoryUrl: env.OBS_INVENTORY_URL, logger, secret: await loadOrCreateSecret(env.OBS_JWT_SECRET_FILE) });
await runUntilSignal({ logger, listeners: [{ app: api.app, host: env.OBS_HOST, port: env.OBS_API_PORT, name: 'api' }], close: api.close });
