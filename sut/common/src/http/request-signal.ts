import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance } from 'fastify';

/**
 * The signal of the HTTP request being served, aborted when its client closes the connection before the answer
 * (a user, a gateway or an api that gave up). Work queued for such a request (a database connection, a call to
 * inventory) is dropped instead of done for nobody: after an overload the queues drain in a second instead of
 * serving seconds of answers nobody waits for. Carried in AsyncLocalStorage, so no call site passes it along.
 */
const storage = new AsyncLocalStorage<AbortSignal>();

/** The current request's signal; undefined outside a request (a background job, a test). */
export function requestSignal(): AbortSignal | undefined {
  return storage.getStore();
}

/** Thrown when the request's client is gone: nobody will read the answer. */
export class ClientGoneError extends Error {
  constructor() {
    super('the client closed the connection before the answer');
    this.name = 'ClientGoneError';
  }
}

/** Gives every request of `app` its signal (the first onRequest hook). */
export function trackRequestSignals(app: FastifyInstance): void {
  app.addHook('onRequest', (_req, reply, done) => {
    const controller = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) controller.abort(new ClientGoneError());
    });
    storage.run(controller.signal, done);
  });
}
