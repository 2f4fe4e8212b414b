import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { pino } from 'pino';
import { createRuntimeConfig } from '../config/runtime-config.ts';
import { createServiceMetrics } from '../metrics.ts';
import { HttpError } from '../errors.ts';
import { ConfigWriter } from './config-writer.ts';
import { SharedState } from './shared-state.ts';
import { adopter } from './admin-thread.ts';

// Both halves in one thread, as they run in a service: the admin thread's writer and the main thread's config,
// joined by real shared memory. Only the Worker and the HTTP listener are left out (tested in sut/*/test).
const schema = z.object({
  rate: z.number().int().min(0).max(100).default(0),
  pool: z.number().int().min(1).max(10).default(4),
});

async function setup(o: { adoptBudgetMs?: number; applyBudgetMs?: number } = {}) {
  let gate: Promise<void> | null = null;
  const seen = { rate: -1, pool: -1, poolApplies: 0 };
  const logger = pino({ level: 'silent' });
  const config = await createRuntimeConfig({
    schema,
    logger,
    metrics: createServiceMetrics('test'),
    resourceKeys: ['pool'],
    apply: (next, prev) => {
      seen.rate = next.rate;
      if (next.pool === prev.pool) return;
      return (async () => {
        await gate;
        if (next.pool === 9) throw new Error('no room for 9 connections');
        seen.pool = next.pool;
        seen.poolApplies++;
      })();
    },
  });
  const shared = new SharedState();
  const poll = adopter(shared, config as never, logger);
  config.control.delegate({
    poll,
    patch: () => Promise.reject(new Error('not used')),
    reset: () => Promise.reject(new Error('not used')),
  });
  const writer = new ConfigWriter({
    strict: schema.strict(),
    defaults: { rate: 0, pool: 4 },
    initial: { ...config.get() },
    resourceKeys: ['pool'],
    shared,
    propose: (next, who) => config.control.applyProposal(next as never, who),
    log: () => {},
    ...o,
  });
  return {
    config,
    shared,
    writer,
    seen,
    hold: () => {
      let open!: () => void;
      gate = new Promise((r) => (open = r));
      return () => {
        gate = null;
        open();
      };
    },
  };
}

describe("ConfigWriter with the main thread's config", () => {
  it('a value knob is committed at once and the main thread adopts it on its next read', async () => {
    const { config, shared, writer, seen } = await setup();
    const answer = writer.patch({ rate: 5 }, 'alice');
    await vi.waitFor(() => expect(shared.version()).toBe(1));
    expect(config.get().rate).toBe(5); // the main thread's next request
    expect(seen.rate).toBe(5);
    expect(await answer).toEqual({ config: { rate: 5, pool: 4 }, changes: [{ key: 'rate', from: 0, to: 5 }] });
    expect(shared.adopted()).toBe(1);
  });

  it('a main thread that reads nothing within the budget gets the change later: the write answers pending (202)', async () => {
    const { config, writer } = await setup({ adoptBudgetMs: 30 });
    const r = await writer.patch({ rate: 7 }, 'alice');
    expect(r.pending).toMatch(/adopts it on its next request/);
    expect(writer.get()).toEqual({ rate: 7, pool: 4 });
    expect(config.get().rate).toBe(7);
  });

  it('a resource knob is applied by the main thread before it is committed', async () => {
    const { config, shared, writer, seen } = await setup();
    const answer = writer.patch({ pool: 6, rate: 1 }, 'bob');
    await vi.waitFor(() => expect(shared.version()).toBe(1));
    expect(seen.pool).toBe(6);
    config.get();
    expect(await answer).toEqual({
      config: { rate: 1, pool: 6 },
      changes: [
        { key: 'rate', from: 0, to: 1 },
        { key: 'pool', from: 4, to: 6 },
      ],
    });
    expect(seen.poolApplies).toBe(1); // adopting the committed version did not apply it again
  });

  it('a failing apply refuses the change (409) and both threads keep the previous config', async () => {
    const { config, shared, writer } = await setup();
    const err = await writer.patch({ pool: 9, rate: 3 }, 'carol').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err).toMatchObject({ status: 409, code: 'apply_failed', message: expect.stringContaining('no room for 9') });
    expect(shared.version()).toBe(0);
    expect(writer.get()).toEqual({ rate: 0, pool: 4 });
    expect(config.get()).toEqual({ rate: 0, pool: 4 });
  });

  it('bad input is a 400 naming the field, and nothing is committed', async () => {
    const { shared, writer } = await setup();
    await expect(writer.patch({ pool: 0 }, 'dave')).rejects.toMatchObject({
      status: 400,
      issues: [{ path: 'pool', message: expect.any(String) }],
    });
    await expect(writer.patch([1], 'dave')).rejects.toMatchObject({ status: 400, issues: [{ path: '(root)' }] });
    expect(shared.version()).toBe(0);
  });

  it('an apply that outlives its budget answers pending; later writes get 409 until it ends, then it is committed', async () => {
    const s = await setup({ applyBudgetMs: 30 });
    const open = s.hold();
    const r = await s.writer.patch({ pool: 7 }, 'erin');
    expect(r.pending).toMatch(/still applying/);
    expect(s.writer.get().pool).toBe(4);
    await expect(s.writer.patch({ rate: 2 }, 'erin')).rejects.toMatchObject({ status: 409, code: 'change_pending' });
    open();
    await vi.waitFor(() => expect(s.writer.get().pool).toBe(7));
    expect(s.config.get().pool).toBe(7);
    const next = s.writer.patch({ rate: 2 }, 'erin');
    await vi.waitFor(() => expect(s.shared.version()).toBe(2));
    s.config.get();
    expect(await next).toEqual({ config: { rate: 2, pool: 7 }, changes: [{ key: 'rate', from: 0, to: 2 }] });
  });
});
