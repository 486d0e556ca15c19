// The public surface of @basin/schemas, hand-picked (no `export *`): add a name here when another
// package needs it.
export { Medium, MetricCode, MetricDef, METRIC_CODES, METRICS, isMetricCode, metricsOfMedium, validRange, WATER_LEVEL_MARGIN, type ValidRange } from './metrics.js';
export { STATION_ID_RE, StationId, StationKind, GaugeLevels, Station, type StationInput } from './station.js';
export {
  Datum,
  PartialDate,
  MonthDay,
  GaugeLevelKind,
  GaugeLevel,
  ReservoirLevelKind,
  ReservoirLevel,
  Season,
  HistoricalMax,
  LevelAmbiguity,
  GaugeReferenceLevels,
  ReservoirReferenceLevels,
  ReferenceLevels,
  levelsAt,
  inSeason,
  cstDate,
  referenceLevelValues,
  type GaugeLevelInput,
  type ReservoirLevelInput,
  type ReferenceLevelsInput,
  type GaugeLevelsInForce,
  type ReservoirLevelsInForce,
  type LevelsInForce,
} from './levels.js';
export { HJ212_MN_MAX, MnIndex, deriveMn, fnv1a32, mnOf } from './mn.js';
export {
  decodeReadingPayload,
  decodeReadingPayloadStrict,
  encodeReadingBatch,
  encodeSenml,
  QualityFlag,
  MAX_PAYLOAD_BYTES,
  MAX_BATCH_READINGS,
  Timestamp,
  Reading,
  WireReading,
  ReadingBatch,
  SenmlRecord,
  SenmlPack,
  SENML_NAME_PREFIX,
  QARTOD_CODE,
  QUALITY_BY_CODE,
  type DecodeIssue,
  type DecodedReadings,
} from './reading.js';
export { parseTopic, sharedFilter, TOPIC_ROOT, topics, DeviceStatus, CommittedAck, type ParsedTopic } from './topics.js';
export { Severity, SEVERITY_RANK, WaterClass } from './domain.js';
export { Alert, AlertState, Task, TaskState } from './ops.js';
export { ApiError, LatestReading } from './api.js';
export {
  BASIN_STATIONS,
  STATION_BY_ID,
  SNAP_MAX_KM,
  snapToRiver,
  RIVER_AXES,
  riverPoint,
  riverKmOf,
  isRiverWithAxis,
  HAN_LINE,
  YANGTZE_LINE,
  type RiverAxis,
  type RiverLine,
} from './catalogue/index.js';
export { renderJsonSchemas, WIRE_SCHEMAS } from './json-schema.js';
export { WEBHOOK_EVENT_TYPES, WebhookEventType, EventAttributes, WebhookFilters, WEBHOOK_PAYLOADS, WebhookPayload } from './webhooks.js';
export {
  hj212Crc16,
  encodeHj212Frame,
  decodeHj212Frame,
  splitHj212Stream,
  parseHj212Segment,
  hj212Time,
  parseHj212Time,
  buildHj212Realtime,
  buildHj212DataAck,
  hj212RealtimeValues,
  HJ212_MAX_SEGMENT,
  HJ212_LENGTH_FIELD_MAX,
  HJ212_VERSIONS,
  HJ212_DEFAULT_UNIT,
  HJ212_FLAG_QC,
  hj212FlagQc,
  hj212ToCatalogue,
  type Hj212Version,
  HJ212_CN,
  HJ212_ST,
  HJ212_POLLUTANT,
  HJ212_METRIC,
  Hj212Error,
  type Hj212Flag,
  type Hj212FrameError,
  type Hj212Packet,
  type Hj212RealtimeInput,
} from './hj212.js';
export { haversineKm, cumulativeKm, lineLengthKm, snapToLine, pointAlong, type LonLat, type Snap } from './geo.js';
export {
  conditionMetrics,
  RuleScope,
  ThresholdCondition,
  RateOfChangeCondition,
  StaleCondition,
  WaterClassCondition,
  AqiCategoryCondition,
  FloodLevelCondition,
  ForecastCrossingCondition,
  ForecastLevel,
  LeafCondition,
  CompositeCondition,
  RuleCondition,
  RuleDefinition,
  StoredRule,
  inScope,
  type ScopeSubject,
  type RuleOp,
  type RuleDefinitionInput,
} from './rules.js';
export {
  AlertType,
  PlanTask,
  ContingencyPlan,
  StoredPlan,
  newestPlans,
  planMatches,
  type PlanMatchInput,
  type ContingencyPlanInput,
} from './plans.js';
export { ForecastCrossing, ForecastSeriesPoint, StationForecast, ForecastRunInfo, SpillRequest, type SpillRequestInput } from './forecast.js';
export { RehearsalModifier, RehearsalRequest, type RehearsalRequestInput } from './rehearsal.js';
export { convertUnit, normaliseUnit, unitsConvertibleTo } from './units.js';
