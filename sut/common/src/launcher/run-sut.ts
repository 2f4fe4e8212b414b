// `npm run sut`: embedded PostgreSQL (or DATABASE_URL) plus the three SUT services, stopped cleanly on Ctrl-C.
import { resolve } from 'node:path';
import { z } from 'zod';
import { parseEnv, portFrom } from '../config/env.ts';
import { startEmbeddedPostgres } from '../db/embedded-postgres.ts';
import { ensureDatabase, migrate } from '../db/migrate.ts';
import { loadOrCreateSecret } from '../auth/secret.ts';
import { startSut } from './start-sut.ts';
import { onShutdownSignal } from './shutdown-signals.ts';

const env = parseEnv(
  z.object({
    OBS_DATA_DIR: z.string().default('.observastack'),
    OBS_PG_PORT: portFrom(5433),
    DATABASE_URL: z.string().optional(),
    OBS_GATEWAY_PORT: portFrom(8080),
    OBS_GATEWAY_ADMIN_PORT: portFrom(8090),
    OBS_API_PORT: portFrom(8081),
    OBS_API_ADMIN_PORT: portFrom(8091),
    OBS_INVENTORY_PORT: portFrom(8082),
    OBS_INVENTORY_ADMIN_PORT: portFrom(8092),
    OTEL_EXPORTER_OTLP_ENDPOINT: z.string().optional(),
  }),
);

const dataDir = resolve(env.OBS_DATA_DIR);
const secretFile = resolve(dataDir, 'secrets/jwt-secret');
await loadOrCreateSecret(secretFile);
const pg = env.DATABASE_URL
  ? undefined
  : await startEmbeddedPostgres({ dir: resolve(dataDir, 'pg'), port: env.OBS_PG_PORT, persistent: true });
const databaseUrl = env.DATABASE_URL ?? (await ensureDatabase(pg!.adminUrl, 'observastack'));
const m = await migrate(databaseUrl);
console.log(`database ready (${m.applied.length} migrations applied)`);
const sut = await startSut({
  ports: {
    gateway: env.OBS_GATEWAY_PORT,
    gatewayAdmin: env.OBS_GATEWAY_ADMIN_PORT,
    api: env.OBS_API_PORT,
    apiAdmin: env.OBS_API_ADMIN_PORT,
    inventory: env.OBS_INVENTORY_PORT,
    inventoryAdmin: env.OBS_INVENTORY_ADMIN_PORT,
  },
  databaseUrl,
  secretFile,
  otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
});
console.log(`shop ready: http://127.0.0.1:${env.OBS_GATEWAY_PORT}/api/products  (Ctrl-C stops everything)`);

onShutdownSignal(async () => {
  await sut.stop();
  await pg?.stop();
  process.exit(0);
});
