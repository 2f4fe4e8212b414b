import { useEffect, useId, useState } from 'react';
import { api, BackendDownError, errorText } from '../lib/api.ts';
import { isActive } from '../lib/live.ts';
import type { PublicScenario } from '../lib/types.ts';
import { useLive } from './hooks.ts';
import { Widget } from './Widget.tsx';

/** A diagnosis question from the scenario, answered in place; a right answer records the stage time. */
export default function Checkpoint(props: { scenario: string; id: string }) {
  const s = useLive();
  const [cp, setCp] = useState<PublicScenario['checkpoints'][number] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [choice, setChoice] = useState<string>('');
  const [result, setResult] = useState<{ correct: boolean; explanation: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const name = useId();

  useEffect(() => {
    if (s.connection !== 'open' || cp) return;
    api.scenario(props.scenario).then((sc) => {
      const found = sc.checkpoints.find((c) => c.id === props.id);
      if (found) setCp(found);
      else setLoadError(new Error(`scenario ${props.scenario} has no checkpoint "${props.id}"`));
    }, setLoadError);
  }, [s.connection, props.scenario, props.id, cp]);

  const run = s.run;
  const canAnswer = !!run && isActive(run) && (run.scenarioId === props.scenario || run.surprise);
  const submit = async () => {
    if (!run || !cp || choice === '') return;
    setError(null);
    try {
      const r = await api.answerCheckpoint(run.id, props.id, cp.freeText ? choice : Number(choice));
      setResult(r);
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <Widget
      name="checkpoint"
      title="Checkpoint"
      down={(s.connection === 'down' && !cp) || loadError instanceof BackendDownError}
    >
      {loadError && !(loadError instanceof BackendDownError) ? <p className="error">{errorText(loadError)}</p> : null}
      {cp ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
          data-checkpoint={props.id}
        >
          <fieldset>
            <legend>
              {cp.question} <span className="muted">({cp.stage})</span>
            </legend>
            {cp.freeText || !cp.choices ? (
              <input aria-label="Your answer" value={choice} onChange={(e) => setChoice(e.target.value)} />
            ) : (
              cp.choices.map((c, i) => (
                <label key={c} className="choice">
                  <input
                    type="radio"
                    name={name}
                    value={i}
                    checked={choice === String(i)}
                    onChange={() => setChoice(String(i))}
                  />{' '}
                  {c}
                </label>
              ))
            )}
          </fieldset>
          <div className="buttons">
            <button type="submit" className="primary" disabled={!canAnswer || choice === ''}>
              Check my answer
            </button>
            {!canAnswer ? <span className="muted">Answer while the incident is running.</span> : null}
          </div>
          {result ? (
            <p className={result.correct ? 'ok' : 'bad'} role="status" data-correct={result.correct}>
              <strong>{result.correct ? 'Right.' : 'Not quite.'}</strong>{' '}
              {result.correct ? result.explanation : 'Look at the evidence again and try another answer.'}
            </p>
          ) : null}
          {error ? (
            <p className="error" role="alert">
              {error}
            </p>
          ) : null}
        </form>
      ) : null}
    </Widget>
  );
}
