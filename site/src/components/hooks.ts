import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { connectLive, live, type LiveState } from '../lib/live.ts';
import type { Store } from '../lib/store.ts';

/** Reads a store (lib/store.ts) and re-renders on change. */
export function useStore<T>(store: Store<T>): T {
  // Hydration renders the server's view (the initial value) first, then the live one: no mismatch.
  return useSyncExternalStore(store.subscribe, store.get, () => store.initial);
}

/** The live WebSocket state; opens the connection on first use. */
export function useLive(): LiveState {
  useEffect(() => connectLive(), []);
  return useStore(live);
}

/** True once the island has hydrated; widgets put it on their root as data-hydrated (the e2e suite waits for it). */
export function useHydrated(): boolean {
  const [h, setH] = useState(false);
  useEffect(() => setH(true), []);
  return h;
}

/** Current time, refreshed every `ms`. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

/** Calls `fn` now and every `ms` while mounted (and `enabled`); the latest `fn` is always used. */
export function usePoll(fn: () => void | Promise<void>, ms: number, enabled = true, deps: unknown[] = []): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const loop = async () => {
      try {
        await ref.current();
      } finally {
        if (!stopped) timer = setTimeout(loop, ms);
      }
    };
    void loop();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ms, enabled, ...deps]);
}
