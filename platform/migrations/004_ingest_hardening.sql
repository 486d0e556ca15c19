-- Ingest hardening: bounded dead letters, conflicting duplicates, a versioned and audited station
-- registry (see ingest/README.md, "Hostile input" and "Station registry").

-- One dead-letter row per message and reason, with how many records it stands for; `digest`
-- (a hash of topic and payload) records a retained message once however often it is redelivered.
ALTER TABLE dead_letters ADD COLUMN count integer NOT NULL DEFAULT 1;
ALTER TABLE dead_letters ADD COLUMN digest text;
CREATE UNIQUE INDEX dead_letters_digest_key ON dead_letters (digest) WHERE digest IS NOT NULL;

-- A reading whose key (station, metric, time) is already stored, or repeated in one batch, with a
-- different value: the first stored value is kept, both are recorded here.
CREATE TABLE reading_conflicts (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  detected_at     timestamptz NOT NULL DEFAULT now(),
  station         text NOT NULL,
  metric          text NOT NULL,
  time            timestamptz NOT NULL,
  kept_value      double precision NOT NULL,
  rejected_value  double precision NOT NULL,
  source          text NOT NULL
);
CREATE INDEX reading_conflicts_key_idx ON reading_conflicts (station, metric, time);

-- Every accepted version of a provisioned (registry) station document. The sourced catalogue
-- stations (schemas catalogue) are never written here: they change only with a release.
CREATE TABLE station_versions (
  station      text NOT NULL,
  version      integer NOT NULL CHECK (version > 0),
  doc          jsonb NOT NULL,
  source       text NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (station, version)
);

-- Append-only audit of registry decisions: created, updated, rejected (with the reason).
CREATE TABLE station_audit (
  id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at       timestamptz NOT NULL DEFAULT now(),
  station  text NOT NULL,
  action   text NOT NULL CHECK (action IN ('created', 'updated', 'rejected')),
  version  integer,
  source   text NOT NULL,
  detail   text NOT NULL
);
CREATE INDEX station_audit_station_idx ON station_audit (station, at DESC);

CREATE FUNCTION basin_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER station_audit_append_only BEFORE UPDATE OR DELETE ON station_audit
  FOR EACH ROW EXECUTE FUNCTION basin_append_only();
CREATE TRIGGER station_audit_no_truncate BEFORE TRUNCATE ON station_audit
  FOR EACH STATEMENT EXECUTE FUNCTION basin_append_only();
CREATE TRIGGER station_versions_append_only BEFORE UPDATE OR DELETE ON station_versions
  FOR EACH ROW EXECUTE FUNCTION basin_append_only();
