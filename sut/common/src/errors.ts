/** The one error type of the SUT services: a code for machines, a status for HTTP, details for people. */
export interface HttpErrorOptions {
  code: string;
  status: number;
  cause?: unknown;
  /** Per-field reasons, e.g. from a zod validation. */
  issues?: FieldIssue[];
}

export interface FieldIssue {
  path: string;
  message: string;
}

export class HttpError extends Error {
  readonly code: string;
  readonly status: number;
  readonly issues: FieldIssue[] | undefined;

  constructor(message: string, opts: HttpErrorOptions) {
    super(message, { cause: opts.cause });
    this.name = 'HttpError';
    this.code = opts.code;
    this.status = opts.status;
    this.issues = opts.issues;
  }
}

/** Turns zod issues into `{ path, message }` pairs with dotted paths (`items.0.quantity`). */
export function issuesFrom(zodIssues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): FieldIssue[] {
  return zodIssues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
}
