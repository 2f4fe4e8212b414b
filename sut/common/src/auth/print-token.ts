// `npm run token`: prints a config-write token (audience sut-config, 1 hour) for curl.
import { resolve } from 'node:path';
import { z } from 'zod';
import { parseEnv } from '../config/env.ts';
import { loadOrCreateSecret } from './secret.ts';
import { mintToken } from './tokens.ts';

const env = parseEnv(z.object({ OBS_DATA_DIR: z.string().default('.observastack') }));
const secret = await loadOrCreateSecret(resolve(env.OBS_DATA_DIR, 'secrets/jwt-secret'));
console.log(await mintToken({ secret, subject: 'cli', ttlSeconds: 3600 }));
