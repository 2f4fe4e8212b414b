import { createLogger } from '@observastack/sut-common/logger.ts';
import { loadOrCreateSecret } from '@observastack/sut-common/auth/secret.ts';
import { runUntilSignal } from '@observastack/sut-common/http/lifecycle.ts';
import { loadGatewayEnv } from './config.ts';
import { buildGateway } from './app.ts';

const env = loadGatewayEnv();
const logger = createLogger('gateway', env.OBS_LOG_LEVEL);
const gateway = await buildGateway({ apiUrl: env.OBS_API_URL, logger, secret: await loadOrCreateSecret(env.OBS_JWT_SECRET_FILE) });
await runUntilSignal({
  logger,
  listeners: [
    { app: gateway.userApp, host: env.OBS_HOST, port: env.OBS_GATEWAY_PORT, name: 'user' },
    { app: gateway.adminApp, host: env.OBS_HOST, port: env.OBS_GATEWAY_ADMIN_PORT, name: 'admin' },
  ],
  close: gateway.close,
});
