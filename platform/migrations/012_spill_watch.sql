-- The elected spill watch (twin-engine forecast/exceedance-watch.ts): one process of a deployment
-- turns observed water-quality exceedances into pollutant-travel runs. Same lease shape as 009.
CREATE TABLE spill_watch (
  id           integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  holder       text NOT NULL,
  lease_until  timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now()
);
INSERT INTO spill_watch (id, holder, lease_until) VALUES (1, '', '-infinity');
