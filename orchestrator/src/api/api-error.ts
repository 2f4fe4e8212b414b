/** The orchestrator's one error type: a code for machines, a status for HTTP, per-field issues for people. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly issues: { path: string; message: string }[] | undefined;

  constructor(
    message: string,
    opts: { code: string; status: number; issues?: { path: string; message: string }[]; cause?: unknown },
  ) {
    super(message, { cause: opts.cause });
    this.name = 'ApiError';
    this.code = opts.code;
    this.status = opts.status;
    this.issues = opts.issues;
  }
}
