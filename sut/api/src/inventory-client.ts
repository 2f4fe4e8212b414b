import { Agent } from 'undici';
import { HttpError } from '@observastack/sut-common/errors.ts';
import { ClientGoneError, requestSignal } from '@observastack/sut-common/http/request-signal.ts';
import { tracedExchange } from '@observastack/sut-common/tracing/http-spans.ts';

export interface ReservationItem {
  productId: number;
  quantity: number;
}

type Method = 'GET' | 'POST' | 'DELETE';
/** The inventory's status and JSON body, read by each caller for its own fields. */
type InventoryAnswer = { status: number; json: any };

/** The api's client of the inventory service; every call is bounded by `inventoryTimeoutMs`. */
export class InventoryClient {
  private readonly origin: string;
  private readonly prefix: string;
  private readonly agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });

  constructor(baseUrl: string) {
    const url = new URL(baseUrl);
    this.origin = url.origin;
    this.prefix = url.pathname.replace(/\/+$/, '');
  }

  private async call(method: Method, path: string, timeoutMs: number, body?: unknown): Promise<InventoryAnswer> {
    try {
      return await this.send(method, path, timeoutMs, body).catch((err: unknown) => {
        // A pooled keep-alive connection the inventory closed just as this request went out on it (a restart or
        // a rollout drains and then closes its idle connections): a read (GET) or a release (DELETE) is sent once
        // more on a fresh connection. A reservation (POST) is not: had it been read, the second one would be
        // refused as a duplicate and the checkout reported out of stock; its caller sees the failure instead.
        // By hand rather than undici's RetryAgent: one immediate resend on this one error code, under the same
        // request signal, is all that is wanted (RetryAgent also retries by status code and backs off by default).
        const idempotent = method !== 'POST';
        if (!idempotent || (err as { code?: string }).code !== 'UND_ERR_SOCKET' || requestSignal()?.aborted) throw err;
        return this.send(method, path, timeoutMs, body);
      });
    } catch (err) {
      if (requestSignal()?.aborted) throw new ClientGoneError();
      const timeout = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
      throw timeout
        ? new HttpError(`inventory did not answer within ${timeoutMs} ms`, {
            code: 'inventory_timeout',
            status: 504,
            cause: err,
          })
        : new HttpError('inventory unavailable', { code: 'inventory_unavailable', status: 503, cause: err });
    }
  }

  private async send(method: Method, path: string, timeoutMs: number, body?: unknown): Promise<InventoryAnswer> {
    const res = await tracedExchange(this.agent, {
      origin: this.origin,
      path: this.prefix + path,
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : null,
      timeoutMs,
      // The api's own caller leaving cancels the call too: inventory then drops the work (request-signal.ts).
      signal: requestSignal(),
    });
    return { status: res.statusCode, json: res.body.length ? JSON.parse(res.body.toString('utf8')) : null };
  }

  async availability(productId: number, timeoutMs: number): Promise<{ available: number; warehouses: number }> {
    const r = await this.call('GET', `/inventory/stock/${productId}`, timeoutMs);
    if (r.status !== 200)
      throw new HttpError(`inventory answered ${r.status}`, { code: 'inventory_error', status: 502 });
    return r.json;
  }

  /** Reserves stock for an order; 409 from inventory (not enough stock) is passed on as 409. */
  async reserve(orderRef: string, items: ReservationItem[], timeoutMs: number): Promise<{ reservationId: number }> {
    const r = await this.call('POST', '/inventory/reservations', timeoutMs, { orderRef, items });
    if (r.status === 201) return r.json;
    if (r.status === 409)
      throw new HttpError(r.json?.error?.message ?? 'not enough stock', { code: 'out_of_stock', status: 409 });
    throw new HttpError(`inventory answered ${r.status}`, { code: 'inventory_error', status: 502 });
  }

  /** Compensation when the order could not be written after stock was reserved. */
  async release(orderRef: string, timeoutMs: number): Promise<void> {
    await this.call('DELETE', `/inventory/reservations/${encodeURIComponent(orderRef)}`, timeoutMs).catch(() => {});
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
