import type { FieldIssue } from '@observastack/sut-common/errors.ts';

/**
 * Why the run engine refused a command, in its own terms. The engine knows nothing of HTTP: the API gives each
 * reason its status in one place (`refusalStatus`, used by the error middleware and the WebSocket).
 */
export type RunRefusalCode =
  | 'run_active'
  | 'unknown_scenario'
  | 'not_found'
  | 'run_not_active'
  | 'beyond_capacity'
  | 'start_failed'
  | 'no_page'
  | 'invalid_request'
  /** The scenario needs an action this mode cannot take (a rollout or a job in stack mode). */
  | 'not_available'
  /** A shop service could not be reached to put it back to healthy (it is starting or restarting). */
  | 'shop_unavailable';

export class RunRefusal extends Error {
  readonly code: RunRefusalCode;
  readonly issues: FieldIssue[] | undefined;

  constructor(code: RunRefusalCode, message: string, issues?: FieldIssue[]) {
    super(message);
    this.name = 'RunRefusal';
    this.code = code;
    this.issues = issues;
  }
}

/** The HTTP status of each refusal. */
export const refusalStatus: Record<RunRefusalCode, number> = {
  run_active: 409,
  unknown_scenario: 404,
  not_found: 404,
  run_not_active: 409,
  beyond_capacity: 409,
  start_failed: 503,
  no_page: 409,
  invalid_request: 400,
  not_available: 501,
  shop_unavailable: 503,
};
