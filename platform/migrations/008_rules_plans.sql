-- 预警 rules and 预案 plans, versioned (every change is a new version; alerts record the version that
-- fired them), the rule engine's persisted subject state, the evaluator's checkpoint, plan-task
-- idempotency and overdue escalation, and 预演 rehearsal runs.

CREATE TABLE rules (
  id          text NOT NULL,
  version     integer NOT NULL CHECK (version >= 1),
  definition  jsonb NOT NULL,
  enabled     boolean NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text NOT NULL,
  PRIMARY KEY (id, version)
);

CREATE TABLE plans (
  id          text NOT NULL,
  version     integer NOT NULL CHECK (version >= 1),
  definition  jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text NOT NULL,
  PRIMARY KEY (id, version)
);

-- Per (rule, subject): active, severity, sustained-since, last reading time. Written in the same
-- transaction as the alerts the evaluation produced, so a restart neither repeats nor re-fires.
CREATE TABLE rule_state (
  rule_id     text NOT NULL,
  subject     text NOT NULL,
  state       jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (rule_id, subject)
);

-- The one elected evaluator (a lease any twin-engine process may take when it has expired) and its
-- progress: readings received up to `checkpoint` have been evaluated. Every evaluation transaction
-- re-checks the lease (fencing), so a paused former leader can never write alerts twice.
CREATE TABLE rule_evaluator (
  id           integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  holder       text NOT NULL,
  lease_until  timestamptz NOT NULL,
  checkpoint   timestamptz,
  updated_at   timestamptz NOT NULL DEFAULT now()
);
INSERT INTO rule_evaluator (id, holder, lease_until) VALUES (1, '', '-infinity');

ALTER TABLE tasks ADD COLUMN plan_task_key text;
ALTER TABLE tasks ADD COLUMN escalated_at timestamptz;
CREATE UNIQUE INDEX tasks_plan_task_key_idx ON tasks (plan_task_key) WHERE plan_task_key IS NOT NULL;

CREATE TABLE rehearsals (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name         text NOT NULL,
  state        text NOT NULL CHECK (state IN ('running', 'done', 'failed')),
  modifiers    jsonb NOT NULL,
  base_time    timestamptz NOT NULL,
  hours        integer NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  created_by   text NOT NULL,
  finished_at  timestamptz,
  error        text,
  result       jsonb
);
