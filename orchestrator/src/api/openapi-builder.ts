import { z } from 'zod';

/** The network path an endpoint belongs to (docs/security.md). */
export type NetworkPath = 'user' | 'control' | 'observability' | 'internal';
/**
 * What a caller must show: nothing; the orchestrator's session token; a `sut-config` service token; or (for the
 * trace ingest) being a process on this machine; or (Alertmanager's webhook, stack mode) its generated token.
 */
export type AuthRequirement = 'none' | 'session' | 'sut-config' | 'local-process' | 'alertmanager-token';

export interface ApiOp {
  method: 'get' | 'post' | 'patch' | 'delete' | 'put';
  /** OpenAPI path with `{param}` placeholders. */
  path: string;
  summary: string;
  network: NetworkPath;
  auth: AuthRequirement;
  /** Path parameters, one zod field per `{param}`. */
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  response?: z.ZodType;
  /** Success status (200 unless told). */
  status?: number;
  /** Media type of a non-JSON success answer (e.g. Prometheus text). */
  produces?: string;
  /** Answers 429 with Retry-After when flooded. */
  rateLimited?: boolean;
}

/**
 * Each body, query and answer comes from the very zod schema the route validates with, converted by zod 4 itself
 * (`z.toJSONSchema`; OpenAPI 3.1 takes JSON Schema 2020-12 as it is). A library such as zod-to-openapi would add a
 * registry and `.openapi()` annotations on every schema but not replace the table of operations in openapi.ts
 * (network path, auth, rate limit), which is what this builder mostly turns into paths.
 */
const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;

export const errorBodyJsonSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: {
          type: 'string',
          description: 'Machine-readable reason, e.g. invalid_request, unauthorized, rate_limited.',
        },
        message: { type: 'string', description: 'What was wrong, for people.' },
        issues: {
          type: 'array',
          items: {
            type: 'object',
            properties: { path: { type: 'string' }, message: { type: 'string' } },
            required: ['path', 'message'],
          },
        },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
};

const securitySchemes = {
  controlSession: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'Session token from POST /api/session (HS256, issuer observastack, audience observastack-control, 12 h).',
  },
  sutConfig: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'Service token minted by the orchestrator per write (HS256, issuer observastack, audience sut-config, 60 s); `npm run token` prints one for curl.',
  },
};

function parameters(op: ApiOp) {
  const out: Record<string, unknown>[] = [];
  const names = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  for (const name of names) {
    const field = op.params?.shape[name] as z.ZodType | undefined;
    out.push({ name, in: 'path', required: true, schema: field ? schema(field) : { type: 'string' } });
  }
  for (const [name, field] of Object.entries(op.query?.shape ?? {})) {
    const f = field as z.ZodType;
    const s = schema(f);
    out.push({ name, in: 'query', required: !f.safeParse(undefined).success, description: s.description, schema: s });
  }
  return out.length ? out : undefined;
}

/** An OpenAPI 3.1 document from a hand-listed set of operations whose inputs are the zod schemas that validate them. */
export function buildOpenApi(
  info: { title: string; description: string; version: string; servers: { url: string; description: string }[] },
  ops: ApiOp[],
) {
  const paths: Record<string, Record<string, unknown>> = {};
  const error = (description: string) => ({
    description,
    content: { 'application/json': { schema: errorBodyJsonSchema } },
  });
  for (const op of ops) {
    const ok = String(op.status ?? 200);
    const responses: Record<string, unknown> = {
      [ok]: {
        description: 'Success',
        content: op.produces
          ? { [op.produces]: { schema: { type: 'string' } } }
          : op.response
            ? { 'application/json': { schema: schema(op.response) } }
            : undefined,
      },
    };
    if (op.params || op.query || op.body) responses['400'] = error("Invalid input: every field's reason in `issues`.");
    if (op.auth === 'session' || op.auth === 'sut-config' || op.auth === 'alertmanager-token')
      responses['401'] = error('Missing, expired, or otherwise invalid token.');
    if (op.auth !== 'none' || op.network === 'control')
      responses['403'] = error('Refused: foreign Origin or Host, or a peer not on this machine.');
    if (op.body) responses['413'] = error('Body over 64 KiB.');
    if (op.rateLimited)
      responses['429'] = {
        ...error('Too many writes; retry after the `Retry-After` seconds.'),
        headers: { 'retry-after': { schema: { type: 'integer' } } },
      };
    paths[op.path] ??= {};
    paths[op.path][op.method] = {
      summary: op.summary,
      'x-network-path': op.network,
      'x-auth': op.auth,
      security: op.auth === 'session' ? [{ controlSession: [] }] : op.auth === 'sut-config' ? [{ sutConfig: [] }] : [],
      parameters: parameters(op),
      requestBody: op.body
        ? { required: true, content: { 'application/json': { schema: schema(op.body) } } }
        : undefined,
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title, description: info.description, version: info.version },
    servers: info.servers,
    components: { securitySchemes },
    paths,
  };
}
