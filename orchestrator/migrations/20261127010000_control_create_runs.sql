-- owner: orchestrator (schema control): runs of scenarios and their timelines.
CREATE SCHEMA IF NOT EXISTS control;

CREATE TABLE control.runs (
  id           uuid PRIMARY KEY,
  scenario_id  text NOT NULL,
  surprise     boolean NOT NULL DEFAULT false,
  seed         integer,
  state        text NOT NULL CHECK (state IN ('pending', 'baseline', 'injected', 'resolved', 'abandoned', 'expired', 'aborted')),
  reason       text,
  started_at   timestamptz NOT NULL,
  injected_at  timestamptz,
  breached_at  timestamptz,
  ended_at     timestamptz,
  stage_times  jsonb NOT NULL DEFAULT '{}'::jsonb
);
-- At most one active run (embedded mode runs one incident at a time).
CREATE UNIQUE INDEX runs_one_active_idx ON control.runs ((true)) WHERE state IN ('pending', 'baseline', 'injected');
CREATE INDEX runs_started_idx ON control.runs (started_at DESC);

CREATE TABLE control.run_events (
  run_id  uuid NOT NULL REFERENCES control.runs (id) ON DELETE CASCADE,
  seq     integer NOT NULL,
  at      timestamptz NOT NULL,
  type    text NOT NULL,
  message text NOT NULL,
  data    jsonb NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (run_id, seq)
);
