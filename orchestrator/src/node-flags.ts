import { heapGrowingFlag, tsCacheHooks } from '@observastack/sut-common/launcher/services.ts';

/**
 * The `node` flags the orchestrator runs with, before `orchestrator/src/main.ts`: `npm start` spells them out
 * (package.json, checked by node-flags.test.ts), the bench and the e2e tests spawn it with these.
 * - a 4 MB young generation (V8's default is 16 MB): the load generator, the OTLP receiver and the log tail
 *   allocate fast, and a young generation that large kept ~20 MB more resident for no measurable CPU gain;
 * - the next full GC at 1.5x the live heap (`heapGrowingFlag`);
 * - the type-stripped cache of the platform's TypeScript (ts-cache-hooks.mjs), ~15 MB less.
 */
export const orchestratorNodeFlags = ['--max-semi-space-size=4', heapGrowingFlag, '--import', tsCacheHooks];
