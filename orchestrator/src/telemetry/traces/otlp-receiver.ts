import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { otlpTraceRequestSchema } from './otlp-json.ts';
import { normalizeTraceRequest } from './otlp-normalize.ts';
import { decodeTraceRequest, encodeEmptyResponse, encodeRpcStatus } from './otlp-protobuf.ts';
import type { TraceStore } from './trace-store.ts';

export interface OtlpReceiverOptions {
  store: TraceStore;
  /** Route path; mount the router at the root of the listener the SUT exports to. */
  path?: string;
  /** Largest accepted body after decompression. */
  maxBodyBytes?: number;
  /** Called after each accepted export (e.g. to count spans in the orchestrator's metrics). */
  onExport?: (info: { spans: number; encoding: 'protobuf' | 'json' }) => void;
}

type Encoding = 'protobuf' | 'json';
const mediaTypes: Record<Encoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };
// google.rpc.Code values used in OTLP error bodies.
const rpcInvalidArgument = 3;
const rpcResourceExhausted = 8;

function encodingOf(req: Request): Encoding | undefined {
  // The media type is the header up to its parameters (`application/json; charset=utf-8`).
  const media = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return media === mediaTypes.protobuf ? 'protobuf' : media === mediaTypes.json ? 'json' : undefined;
}

/** OTLP/HTTP error body: a google.rpc.Status in the request's encoding (JSON when the encoding is unknown). */
function fail(res: Response, status: number, encoding: Encoding | undefined, rpcCode: number, message: string): void {
  if (encoding === 'protobuf')
    res
      .status(status)
      .type(mediaTypes.protobuf)
      .send(Buffer.from(encodeRpcStatus(rpcCode, message)));
  else res.status(status).json({ code: rpcCode, message });
}

/**
 * The embedded hub's OTLP/HTTP trace receiver (`POST /v1/traces`), for `application/x-protobuf` and
 * `application/json` bodies, gzip or plain. Replies 200 with an empty ExportTraceServiceResponse in the
 * request's encoding, 400 on a malformed body, 413 over `maxBodyBytes` (default 4 MiB), 415 on other types.
 * Mount it before any app-wide body parser; an already parsed JSON body is accepted too.
 */
export function createOtlpTraceReceiver(opts: OtlpReceiverOptions): Router {
  const path = opts.path ?? '/v1/traces';
  const router = Router();
  router.post(
    path,
    (req, res, next) => {
      if (!encodingOf(req)) {
        fail(
          res,
          415,
          undefined,
          rpcInvalidArgument,
          `unsupported content type '${req.headers['content-type'] ?? ''}': send application/x-protobuf or application/json`,
        );
        return;
      }
      next();
    },
    express.raw({ type: () => true, limit: opts.maxBodyBytes ?? 4 * 1024 * 1024, inflate: true }),
    (req, res) => {
      const encoding = encodingOf(req)!;
      let decoded: unknown;
      try {
        if (Buffer.isBuffer(req.body)) {
          if (encoding === 'protobuf') decoded = decodeTraceRequest(req.body);
          else decoded = req.body.length === 0 ? {} : JSON.parse(req.body.toString('utf8'));
        } else decoded = req.body ?? {};
      } catch (err) {
        fail(res, 400, encoding, rpcInvalidArgument, `malformed ${encoding} body: ${(err as Error).message}`);
        return;
      }
      const parsed = otlpTraceRequestSchema.safeParse(decoded);
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        fail(
          res,
          400,
          encoding,
          rpcInvalidArgument,
          `invalid ExportTraceServiceRequest at ${first?.path.join('.') || '(root)'}: ${first?.message}`,
        );
        return;
      }
      const spans = normalizeTraceRequest(parsed.data);
      opts.store.add(spans);
      opts.onExport?.({ spans: spans.length, encoding });
      if (encoding === 'protobuf') res.status(200).type(mediaTypes.protobuf).send(Buffer.from(encodeEmptyResponse()));
      else res.status(200).json({});
    },
  );
  // Body-parser failures of this route only: too large, unknown Content-Encoding, broken gzip.
  router.use(path, (err: unknown, req: Request, res: Response, next: NextFunction) => {
    const e = err as { type?: string; status?: number; message?: string };
    const encoding = encodingOf(req);
    if (e.type === 'entity.too.large')
      fail(res, 413, encoding, rpcResourceExhausted, e.message ?? 'request entity too large');
    else if (e.type === 'encoding.unsupported')
      fail(res, 415, encoding, rpcInvalidArgument, e.message ?? 'unsupported content encoding');
    else if (typeof e.status === 'number' && e.status >= 400 && e.status < 500)
      fail(res, 400, encoding, rpcInvalidArgument, e.message ?? 'bad request');
    else next(err);
  });
  return router;
}
