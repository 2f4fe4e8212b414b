import { createLogger } from '@observastack/sut-common/logger.ts';
import { loadOrCreateSecret } from '@observastack/sut-common/auth/secret.ts';
import { runUntilSignal } from '@observastack/sut-common/http/lifecycle.ts';
import { loadGatewayEnv } from './config.ts';
import { buildGateway } from './app.ts';

const env = loadGatewayEnv();
const logger = createLogger('gateway', env.OBS_LOG_LEVEL);
const secret = await loadOrCreateSecret(env.OBS_JWT_SECRET_FILE);
const gateway = await buildGateway({ apiUrl: env.OBS_API_URL, logger, secret });
await runUntilSignal({
  logger,
  listeners: [{ app: gateway.userApp, host: env.OBS_HOST, port: env.OBS_GATEWAY_PORT, name: 'user' }],
  reusePort: env.OBS_REUSE_PORT,
  admin: {
    service: 'gateway',
    host: env.OBS_HOST,
    port: env.OBS_GATEWAY_ADMIN_PORT,
    secret,
    logger,
    logLevel: env.OBS_LOG_LEVEL,
    config: gateway.config as never,
    metrics: gateway.metrics,
    schema: { module: new URL('./runtime-config.ts', import.meta.url), exportName: 'gatewayConfigSchema' },
  },
  close: gateway.close,
});
