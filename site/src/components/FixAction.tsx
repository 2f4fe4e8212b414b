import { useEffect, useState } from 'react';
import { api, ApiError, BackendDownError, errorText } from '../lib/api.ts';
import type { JsonSchemaProperty, ServiceView } from '../lib/types.ts';
import { isActive } from '../lib/live.ts';
import { useLive } from './hooks.ts';
import { Widget } from './Widget.tsx';

type Value = number | string | boolean;

/**
 * A fix form generated from a service's config JSON Schema: each knob with its current value, range and
 * description. The service validates the change; its reasons appear beside the fields and nothing changes.
 * While a run is active the defaults are not shown: "the value that is not the default" would be the answer
 * without looking at a metric, a log or a trace. They come back when the run ends.
 */
export default function FixAction(props: { service: 'gateway' | 'api' | 'inventory'; knobs?: string[] }) {
  const s = useLive();
  const [view, setView] = useState<ServiceView | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [draft, setDraft] = useState<Record<string, string | boolean>>({});
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [applied, setApplied] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = () =>
    api.service(props.service).then((v) => {
      setView(v);
      setLoadError(null);
    }, setLoadError);
  useEffect(() => {
    if (s.connection === 'open') void load();
    // Reload when the connection comes back or a run changes the config (fault applied, reset).
  }, [s.connection, s.run?.state]);

  const running = isActive(s.run);
  const props_ = Object.entries(view?.schema?.properties ?? {}).filter(
    ([k]) => !props.knobs || props.knobs.includes(k),
  );
  const down = (s.connection === 'down' && !view) || loadError instanceof BackendDownError;

  const submit = async () => {
    if (!view) return;
    const patch: Record<string, Value> = {};
    for (const [k, p] of props_) {
      if (!(k in draft)) continue;
      const v = coerce(draft[k], p);
      if (v !== view.config?.[k]) patch[k] = v;
    }
    setIssues({});
    setFormError(null);
    setApplied(null);
    if (Object.keys(patch).length === 0) return setFormError('Nothing to apply: change a value first.');
    setBusy(true);
    try {
      const r = await api.patchConfig(props.service, patch);
      setApplied(
        r.changes.map((c) => `${c.key}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`).join(', ') || 'no change',
      );
      setDraft({});
      await load();
    } catch (err) {
      if (err instanceof ApiError && err.issues.length) {
        const byField: Record<string, string> = {};
        for (const i of err.issues) byField[i.path] = byField[i.path] ? `${byField[i.path]}; ${i.message}` : i.message;
        setIssues(byField);
        setFormError(`${props.service} refused the change: ${err.message}. Nothing was changed.`);
      } else setFormError(`${errorText(err)}. Nothing was changed.`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Widget
      name="fix-action"
      title={
        <>
          Change <code>{props.service}</code>’s runtime config
        </>
      }
      down={down}
    >
      {loadError && !down ? (
        <p className="error" role="alert">
          {errorText(loadError)}
        </p>
      ) : null}
      {view && !view.schema ? (
        <p className="warn">{props.service} does not answer; its config cannot be read right now.</p>
      ) : null}
      {view?.schema ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
          noValidate
          data-service={props.service}
          data-defaults-shown={running ? 'no' : 'yes'}
        >
          {props_.map(([k, p]) => {
            const id = `fix-${props.service}-${k}`;
            const current = view.config?.[k];
            const value =
              k in draft
                ? draft[k]
                : current === undefined
                  ? ''
                  : p.type === 'boolean'
                    ? Boolean(current)
                    : String(current);
            const err = issues[k];
            return (
              <div className={`field ${err ? 'field-error' : ''}`} key={k} data-field={k}>
                <label htmlFor={id}>
                  <code>{k}</code>
                </label>
                {p.type === 'boolean' ? (
                  <input
                    id={id}
                    type="checkbox"
                    checked={Boolean(value)}
                    onChange={(e) => setDraft({ ...draft, [k]: e.target.checked })}
                    aria-describedby={`${id}-help${err ? ` ${id}-err` : ''}`}
                  />
                ) : p.enum ? (
                  <select
                    id={id}
                    value={String(value)}
                    onChange={(e) => setDraft({ ...draft, [k]: e.target.value })}
                    aria-describedby={`${id}-help${err ? ` ${id}-err` : ''}`}
                  >
                    {p.enum.map((o) => (
                      <option key={String(o)} value={String(o)}>
                        {String(o)}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input
                    id={id}
                    type={p.type === 'integer' || p.type === 'number' ? 'number' : 'text'}
                    value={String(value)}
                    onChange={(e) => setDraft({ ...draft, [k]: e.target.value })}
                    aria-invalid={err ? true : undefined}
                    aria-describedby={`${id}-help${err ? ` ${id}-err` : ''}`}
                  />
                )}
                <p className="help" id={`${id}-help`}>
                  {p.description}{' '}
                  <span className="muted">
                    Now: <strong data-current={k}>{JSON.stringify(current)}</strong>
                    {range(p)}
                    {!running && p.default !== undefined ? ` · default ${JSON.stringify(p.default)}` : ''}
                  </span>
                </p>
                {err ? (
                  <p className="error" id={`${id}-err`} role="alert" data-field-error={k}>
                    {err}
                  </p>
                ) : null}
              </div>
            );
          })}
          <div className="buttons">
            <button type="submit" className="primary" disabled={busy}>
              Apply
            </button>
            <button
              type="button"
              onClick={() => {
                setDraft({});
                setIssues({});
                setFormError(null);
              }}
              disabled={busy}
            >
              Discard edits
            </button>
          </div>
          {formError ? (
            <p className="error" role="alert" data-form-error="">
              {formError}
            </p>
          ) : null}
          {applied ? (
            <p className="ok" role="status" data-applied="">
              Applied {applied}. It is on the run’s timeline.
            </p>
          ) : null}
        </form>
      ) : null}
    </Widget>
  );
}

function range(p: JsonSchemaProperty): string {
  if (p.minimum !== undefined && p.maximum !== undefined) return ` · range ${p.minimum}–${p.maximum}`;
  if (p.minimum !== undefined) return ` · at least ${p.minimum}`;
  if (p.maximum !== undefined) return ` · at most ${p.maximum}`;
  return '';
}

/** Form text to the JSON type the schema names; a non-number stays text so the service explains the problem. */
function coerce(v: string | boolean, p: JsonSchemaProperty): Value {
  if (typeof v === 'boolean') return v;
  if ((p.type === 'integer' || p.type === 'number') && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  if (p.enum && p.enum.some((o) => typeof o === 'number') && Number.isFinite(Number(v))) return Number(v);
  return v;
}
