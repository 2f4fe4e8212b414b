import { z } from 'zod';

/** One entry of the change log: what changed in the shop, when, where and by whom (docs/api.md). */
export const changeEntrySchema = z.object({
  id: z.number().int(),
  /** Epoch milliseconds. */
  at: z.number(),
  service: z.enum(['gateway', 'api', 'inventory']),
  /** deploy: a release went out; config: a runtime setting was pushed. */
  kind: z.enum(['deploy', 'config']),
  /** Who made it, as a team's change log names it: `you`, `platform-team`, `release-pipeline`, `observastack`. */
  by: z.string(),
  summary: z.string(),
  changes: z.array(z.object({ key: z.string(), from: z.unknown(), to: z.unknown() })),
});
export type ChangeEntry = z.infer<typeof changeEntrySchema>;

export const listChangesQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('Newest entries to return.'),
});

export const changesResponseSchema = z.object({ changes: z.array(changeEntrySchema).describe('Newest first.') });
