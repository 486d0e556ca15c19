-- Stations: typed reference levels (gauge / reservoir kinds with datum, dates, sources; see
-- schemas/src/levels.ts), the river bank of a site, and the HJ 212 MN of the station's logger
-- (explicit, or derived from the id by schemas' mnOf(): the one MN rule of simulator and ingest).
ALTER TABLE stations
  ADD COLUMN reference_levels jsonb,
  ADD COLUMN bank text CHECK (bank IN ('left', 'right')),
  ADD COLUMN mn text;
CREATE UNIQUE INDEX stations_mn_key ON stations (upper(mn));

-- HJ 212 loggers that send a factor in another unit than the standard's default: {"a21026": "ug/m3"}.
ALTER TABLE hj212_devices ADD COLUMN units jsonb;
