import type { ErrorRequestHandler, RequestHandler } from 'express';
import { HttpError } from '@observastack/sut-common/errors.ts';
import { RunRefusal, refusalStatus } from '../runs/run-refusal.ts';

/** Unknown /api route: 404 in the same error shape as everything else. */
export const notFound: RequestHandler = (req, res) => {
  res
    .status(404)
    .json({ error: { code: 'not_found', message: `no route for ${req.method} ${req.path.slice(0, 200)}` } });
};

/**
 * The one error middleware: HttpError -> its status; the run engine's refusals -> the status `refusalStatus` gives
 * each; body-parser errors (bad JSON 400, too large 413, wrong
 * charset 415) -> their status; anything else -> 500 with a generic body and the cause logged.
 */
export function errorMiddleware(log: (msg: string, err: unknown) => void): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    if (err instanceof RunRefusal) {
      res.status(refusalStatus[err.code]).json({ error: { code: err.code, message: err.message, issues: err.issues } });
      return;
    }
    if (err instanceof HttpError) {
      if (err.status === 429 && !res.getHeader('retry-after')) res.setHeader('retry-after', '1');
      res.status(err.status).json({ error: { code: err.code, message: err.message, issues: err.issues } });
      return;
    }
    const status =
      typeof err?.status === 'number' ? err.status : typeof err?.statusCode === 'number' ? err.statusCode : 500;
    if (status >= 400 && status < 500) {
      const code =
        err.type === 'entity.too.large'
          ? 'payload_too_large'
          : err.type === 'entity.parse.failed'
            ? 'malformed_json'
            : 'bad_request';
      res.status(status).json({
        error: {
          code,
          message:
            code === 'malformed_json'
              ? /^forbidden key/.test(String(err.message))
                ? String(err.message)
                : 'request body is not valid JSON'
              : String(err.message ?? 'bad request'),
        },
      });
      return;
    }
    log('unhandled error in API', err);
    res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
  };
}
