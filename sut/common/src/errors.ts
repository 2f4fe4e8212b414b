/** The one HTTP error type of the SUT services and the orchestrator: a code for machines, a status for HTTP, details for people. */
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

type ZodIssueLike = { path: readonly PropertyKey[]; message: string };

/**
 * Turns zod issues into `{ path, message }` pairs with dotted paths (`items.0.quantity`); `root` names the
 * whole value. The one mapping of validation issues for the services and the orchestrator.
 */
export function issuesFrom(zodIssues: ReadonlyArray<ZodIssueLike>, root = '(root)'): FieldIssue[] {
  return zodIssues.map((i) => ({ path: i.path.map(String).join('.') || root, message: i.message }));
}

/** The same issues as one line of text: `items.0.quantity: Too small; page: Expected number`. */
export function issuesText(zodIssues: ReadonlyArray<ZodIssueLike>, root = '(root)', separator = '; '): string {
  return issuesFrom(zodIssues, root)
    .map((i) => `${i.path}: ${i.message}`)
    .join(separator);
}
