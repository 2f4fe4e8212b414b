-- owner: orchestrator (schema control): a run started "on call" is announced to the learner by its page only.
ALTER TABLE control.runs ADD COLUMN on_call boolean NOT NULL DEFAULT false;
