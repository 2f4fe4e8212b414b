/**
 * Runs `apply` until it succeeds or `timeoutMs` passes (a stack's PostgreSQL may still be starting): retries
 * only connection failures, each after a growing pause (0.5 s … 5 s); any other error (a broken migration) at once.
 */
export async function migrateWithRetry<T>(
  apply: () => Promise<T>,
  o: { timeoutMs: number; log: (msg: string) => void },
): Promise<T> {
  const deadline = Date.now() + o.timeoutMs;
  let pause = 500;
  for (;;) {
    try {
      return await apply();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      const transient = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', '57P03'].includes(code);
      if (!transient || Date.now() + pause > deadline) throw err;
      o.log(`database not reachable yet (${code}); retrying in ${pause} ms`);
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, 5000);
    }
  }
}
