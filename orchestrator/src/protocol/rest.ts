import { z } from 'zod';

const seed = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1)
  .describe('Surprise-mode seed; the same seed replays the same incident.');

const onCall = z
  .boolean()
  .optional()
  .describe('On call: the site announces the incident only when an alert rule pages (default false).');

export const startRunBodySchema = z
  .union([
    z
      .object({
        scenarioId: z.string().min(1).max(120).describe('Scenario to run, e.g. gateway-pool-lowered.'),
        onCall,
      })
      .strict(),
    z
      .object({
        surprise: z.literal(true).describe('Pick a hidden scenario from the seed.'),
        seed: seed.optional(),
        onCall,
      })
      .strict(),
  ])
  .describe('Start a run of one scenario, or a surprise run.');
export type StartRunBody = z.infer<typeof startRunBodySchema>;

export const runIdParamsSchema = z.object({ id: z.uuid().describe('Run id.') }).strict();
export const checkpointParamsSchema = z
  .object({ id: z.uuid(), checkpointId: z.string().regex(/^[a-z0-9-]{1,64}$/) })
  .strict();
export const checkpointBodySchema = z
  .object({
    answer: z
      .union([z.number().int().min(0).max(20), z.string().min(1).max(500)])
      .describe('Choice index, or free text for pattern checkpoints.'),
  })
  .strict();

export const serviceNames = ['gateway', 'api', 'inventory'] as const;
export const serviceParamsSchema = z.object({ name: z.enum(serviceNames).describe('SUT service.') }).strict();
export const configPatchBodySchema = z
  .record(z.string().max(64), z.union([z.number(), z.string().max(64), z.boolean()]))
  .describe('Partial runtime config of the service; validated by the service itself.');

export const listRunsQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }).strict();

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** `POST /api/session` body: none on the learner's machine; the learner key when the platform is reached through a public URL. */
export const sessionBodySchema = z
  .strictObject({
    key: z
      .string()
      .min(1)
      .max(512)
      .optional()
      .describe(
        'The learner key (printed at start as `<public URL>/?key=…`, or OBS_LEARNER_KEY). Needed only when the request comes through a public URL or from another machine.',
      ),
  })
  .describe("Optional: `{}` or no body on the learner's machine.");
export type SessionBody = z.infer<typeof sessionBodySchema>;

/** `POST /api/session`: a control-path session token for this browser. */
export const sessionResponseSchema = z
  .object({
    token: z
      .string()
      .describe(
        'JWT (audience observastack-control): send it as `Authorization: Bearer <token>` on every state-changing /api request, and as `?token=` (or the `bearer.<token>` WebSocket subprotocol) when opening /ws.',
      ),
    expiresInSeconds: z
      .number()
      .int()
      .positive()
      .describe('Lifetime of the token; ask for a new one when a request answers 401.'),
  })
  .describe(
    'A session token for the control path, issued without a password to a browser on this machine, and for the learner key through a public URL.',
  );
export type SessionResponse = z.infer<typeof sessionResponseSchema>;

/** The session endpoint and the WebSocket subprotocols (zod-free, for the browser too). */
export { sessionPath, wsBearerProtocolPrefix, wsProtocol } from './session-contract.ts';
