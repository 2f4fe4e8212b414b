import { randomUUID } from 'node:crypto';

/**
 * This process's identity, answered by every `/healthz` (the admin thread gets it from the main thread): a
 * watcher that polls health every few seconds sees a restart it was too slow to catch down (a container that
 * crashed and came back within one poll) as a new instance. Not the pid: in a container it is always 1.
 */
export const processInstance = randomUUID();
