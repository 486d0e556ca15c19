-- Twin-engine API: access control, the append-only audit log, alert and task storage (the alert
-- lifecycle firing -> acknowledged -> dispatched -> resolved), the live-stream event log, and the
-- webhook outbox with its subscriptions, deliveries and attempts (Standard Webhooks).

-- API keys: the secret is never stored, only its scrypt hash (salt, N=16384, r=8, p=1, 32 bytes).
CREATE TABLE api_keys (
  id            text PRIMARY KEY,           -- public key id, the part of the key before the "."
  name          text NOT NULL,
  role          text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  salt          bytea NOT NULL,
  hash          bytea NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  created_by    text NOT NULL,
  last_used_at  timestamptz,
  revoked_at    timestamptz
);

-- Every mutation: who, what, when, before and after. Append-only (triggers refuse the rest).
CREATE TABLE audit_log (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT now(),
  actor         text NOT NULL,              -- key:<id> | jwt:<sub> | system:<component> | anonymous
  role          text,
  action        text NOT NULL,              -- e.g. alert.acknowledge, webhook.create, key.revoke
  subject_type  text NOT NULL,              -- alert | task | webhook | api_key | ...
  subject_id    text,
  before        jsonb,
  after         jsonb,
  detail        jsonb
);
CREATE INDEX audit_log_subject_idx ON audit_log (subject_type, subject_id, id);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);

CREATE FUNCTION audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_refuse();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse();

-- Alerts, opened by the rule engine through twin-engine/src/ops (openAlert / escalate / autoResolve).
-- At most one unresolved alert per rule and subject (deduplication).
CREATE TABLE alerts (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  rule_id          text NOT NULL,
  rule_version     integer NOT NULL DEFAULT 1,
  subject          text NOT NULL,           -- what the rule fired on: a station, reach, section pair ...
  kind             text NOT NULL,           -- flood | water_quality | air_quality | soil | staleness | forecast | ...
  severity         text NOT NULL CHECK (severity IN ('blue', 'yellow', 'orange', 'red')),
  state            text NOT NULL CHECK (state IN ('firing', 'acknowledged', 'dispatched', 'resolved')),
  title            text NOT NULL,
  message          text,
  station          text,
  metric           text,
  reach            text,
  river            text,
  admin_unit       text,
  river_chief      text,
  evidence         jsonb NOT NULL DEFAULT '{}'::jsonb,
  opened_at        timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  acknowledged_at  timestamptz,
  acknowledged_by  text,
  dispatched_at    timestamptz,
  dispatched_by    text,
  resolved_at      timestamptz,
  resolved_by      text,
  resolution       text CHECK (resolution IN ('manual', 'auto'))
);
CREATE UNIQUE INDEX alerts_open_per_subject_idx ON alerts (rule_id, subject) WHERE state <> 'resolved';
CREATE INDEX alerts_state_idx ON alerts (state, opened_at DESC);
CREATE INDEX alerts_station_idx ON alerts (station, opened_at DESC);

CREATE TABLE alert_comments (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  alert_id  bigint NOT NULL REFERENCES alerts (id),
  at        timestamptz NOT NULL DEFAULT now(),
  author    text NOT NULL,
  text      text NOT NULL
);
CREATE INDEX alert_comments_alert_idx ON alert_comments (alert_id, id);

-- Dispatch tasks (created by plans or by operators): open -> accepted -> done; overdue past the deadline.
CREATE TABLE tasks (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  alert_id      bigint REFERENCES alerts (id),
  plan_id       text,
  plan_version  integer,
  team          text NOT NULL,
  action        text NOT NULL,
  location      text,
  station       text,
  deadline      timestamptz,
  state         text NOT NULL CHECK (state IN ('open', 'accepted', 'done', 'overdue', 'cancelled')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  created_by    text NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  accepted_by   text,
  done_at       timestamptz,
  done_by       text,
  note          text
);
CREATE INDEX tasks_state_idx ON tasks (state, deadline);
CREATE INDEX tasks_alert_idx ON tasks (alert_id);

-- Live-stream events. Ids are taken under a transaction-scoped advisory lock, so they increase in
-- commit order: a client resuming after cursor N never misses an event committed later with a
-- smaller id. dedup_key makes sampled reading events idempotent across processes.
CREATE SEQUENCE stream_events_id_seq;
CREATE TABLE stream_events (
  id         bigint PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  topic      text NOT NULL,                 -- state | reading | alert | task | station
  type       text NOT NULL,                 -- e.g. alert.opened, reading, station.offline
  station    text,
  dedup_key  text UNIQUE,
  data       jsonb NOT NULL
);
CREATE INDEX stream_events_at_idx ON stream_events (at);
-- Highest id removed by retention: a client resuming from an older cursor has missed events.
CREATE TABLE stream_pruned (
  one      boolean PRIMARY KEY DEFAULT true CHECK (one),
  through  bigint NOT NULL
);
INSERT INTO stream_pruned (through) VALUES (0);

-- Webhooks (Standard Webhooks). Secrets are whsec_ base64 keys: the first signs, every one is sent
-- as a signature (two during rotation).
CREATE TABLE webhook_subscriptions (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name             text NOT NULL,
  url              text NOT NULL,
  secrets          text[] NOT NULL,
  event_types      text[] NOT NULL,
  filters          jsonb NOT NULL DEFAULT '{}'::jsonb,
  max_concurrency  integer NOT NULL DEFAULT 4 CHECK (max_concurrency BETWEEN 1 AND 64),
  enabled          boolean NOT NULL DEFAULT true,
  disabled_reason  text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  created_by       text NOT NULL,
  updated_at       timestamptz NOT NULL DEFAULT now()
);

-- The outbox: written in the same transaction as the state change that caused the event.
CREATE TABLE webhook_events (
  id          text PRIMARY KEY,             -- msg_<uuid>: the webhook-id, the same on every retry
  type        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  payload     jsonb NOT NULL
);
CREATE INDEX webhook_events_created_idx ON webhook_events (created_at);

CREATE TABLE webhook_deliveries (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id         text NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
  subscription_id  bigint NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
  state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  lease_until      timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  delivered_at     timestamptz,
  last_status      integer,
  last_error       text
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_sub_idx ON webhook_deliveries (subscription_id, id DESC);

CREATE TABLE webhook_attempts (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id       bigint NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  attempt           integer NOT NULL,
  at                timestamptz NOT NULL DEFAULT now(),
  status            integer,
  latency_ms        double precision NOT NULL,
  error             text,
  response_snippet  text,
  dispatcher        text NOT NULL
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);
