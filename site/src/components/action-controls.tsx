/** Pieces the action widgets (DbActivity, ServiceActions) share: an action's outcome, and an inline confirm. */

export type Outcome = { kind: 'pending' | 'ok' | 'error'; text: string };

/** One action's outcome: progress and success as a status, a failure as an alert (`data-outcome` names it). */
export function OutcomeLine(props: { outcome: Outcome | undefined; name: string }) {
  const o = props.outcome;
  return (
    <>
      {o?.kind === 'error' ? (
        <p className="error" role="alert" data-outcome={props.name} data-outcome-kind="error">
          {o.text}
        </p>
      ) : null}
      <p
        className={o?.kind === 'ok' ? 'ok' : 'muted'}
        role="status"
        data-outcome={props.name}
        data-outcome-kind={o && o.kind !== 'error' ? o.kind : ''}
      >
        {o && o.kind !== 'error' ? o.text : ''}
      </p>
    </>
  );
}

/**
 * A destructive action asked twice, inline (no window.confirm): the first button (`ask`, its accessible name
 * `askLabel`) shows Confirm and Cancel, named `Confirm <what>` and `Cancel <what>`.
 */
export function ConfirmAction(props: {
  confirming: boolean;
  what: string;
  ask: string;
  askLabel?: string;
  confirmText?: string;
  disabled?: boolean;
  onAsk(): void;
  onConfirm(): void;
  onCancel(): void;
}) {
  if (!props.confirming)
    return (
      <button type="button" onClick={props.onAsk} disabled={props.disabled} aria-label={props.askLabel}>
        {props.ask}
      </button>
    );
  return (
    <span className="field-inline">
      <button type="button" className="primary" onClick={props.onConfirm} aria-label={`Confirm ${props.what}`}>
        {props.confirmText ?? 'Confirm'}
      </button>
      <button type="button" onClick={props.onCancel} aria-label={`Cancel ${props.what}`}>
        Cancel
      </button>
    </span>
  );
}
