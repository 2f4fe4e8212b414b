import { setTimeout as sleep } from 'node:timers/promises';
import { trace } from '@opentelemetry/api';

const tracer = trace.getTracer('observastack-payment');

/**
 * The payment provider is outside the shop, so it is simulated: a network round trip of 30–50 ms, traced as
 * `payment.authorize`. Checkout calls it while holding its database connection, as many real checkouts do,
 * which is what makes a small `dbPoolMax` hurt.
 */
export function authorizePayment(totalCents: number): Promise<void> {
  return tracer.startActiveSpan(
    'payment.authorize',
    { attributes: { 'observastack.amount_cents': totalCents } },
    async (span) => {
      await sleep(30 + Math.random() * 20);
      span.end();
    },
  );
}
