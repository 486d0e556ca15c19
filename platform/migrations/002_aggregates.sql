-- Continuous aggregates of readings at 15 min, 1 h and 1 day, and native compression settings.
-- Created WITH NO DATA: all pending migrations run in one transaction, where a refresh cannot run.
-- Refresh, compression and retention POLICIES are applied by ingest at start from its
-- configuration (ingest/src/policies.ts), so their ages can be tuned without a migration.
-- Each aggregate is computed from the raw hypertable; `flagged` counts suspect or failed values
-- (QARTOD codes 3 and 4), which are included in min/max/avg like every stored value.

CREATE MATERIALIZED VIEW readings_15m
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '15 minutes', time) AS bucket,
       station,
       metric,
       min(value)                                AS min,
       max(value)                                AS max,
       avg(value)                                AS avg,
       count(*)                                  AS count,
       last(value, time)                         AS last,
       count(*) FILTER (WHERE quality >= 3)      AS flagged
FROM readings
GROUP BY bucket, station, metric
WITH NO DATA;

CREATE MATERIALIZED VIEW readings_1h
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 hour', time) AS bucket,
       station,
       metric,
       min(value)                                AS min,
       max(value)                                AS max,
       avg(value)                                AS avg,
       count(*)                                  AS count,
       last(value, time)                         AS last,
       count(*) FILTER (WHERE quality >= 3)      AS flagged
FROM readings
GROUP BY bucket, station, metric
WITH NO DATA;

CREATE MATERIALIZED VIEW readings_1d
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 day', time) AS bucket,
       station,
       metric,
       min(value)                                AS min,
       max(value)                                AS max,
       avg(value)                                AS avg,
       count(*)                                  AS count,
       last(value, time)                         AS last,
       count(*) FILTER (WHERE quality >= 3)      AS flagged
FROM readings
GROUP BY bucket, station, metric
WITH NO DATA;

-- Native compression: one compressed segment per station and metric, newest first.
ALTER TABLE readings SET (
  timescaledb.compress,
  timescaledb.compress_segmentby = 'station, metric',
  timescaledb.compress_orderby = 'time DESC'
);
