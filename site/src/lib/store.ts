/** A minimal observable value: widgets read it with useSyncExternalStore (no React in this module). */
export interface Store<T> {
  /** The value the store was created with (what the server rendered; React hydrates against it). */
  readonly initial: T;
  get(): T;
  set(next: T): void;
  update(fn: (prev: T) => T): void;
  subscribe(listener: (value: T) => void): () => void;
}

// Hand-written instead of a dependency: the site needs only get/set/subscribe, and every byte ships to the learner.
export function createStore<T>(initial: T): Store<T> {
  let value = initial;
  const listeners = new Set<(value: T) => void>();
  const set = (next: T) => {
    if (Object.is(next, value)) return;
    value = next;
    for (const l of [...listeners]) l(value);
  };
  return {
    initial,
    get: () => value,
    set,
    update: (fn) => set(fn(value)),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
