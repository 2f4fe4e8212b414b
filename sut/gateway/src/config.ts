import { z } from 'zod';
import { commonEnvShape, parseEnv, portFrom } from '@observastack/sut-common/config/env.ts';

export const gatewayEnvSchema = z.object({
  ...commonEnvShape,
  OBS_GATEWAY_PORT: portFrom(8080).describe('User traffic: the only entry to the shop.'),
  OBS_GATEWAY_ADMIN_PORT: portFrom(8090).describe(
    'Admin routes: /config, /config/schema, /metrics, /healthz, served by the admin thread.',
  ),
  OBS_API_URL: z.url().default('http://127.0.0.1:8081').describe('Base URL of the api service.'),
});
export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;

export const loadGatewayEnv = (): GatewayEnv => parseEnv(gatewayEnvSchema);
