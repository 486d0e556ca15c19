import type { Severity, StationKind } from '@basin/schemas';
import type { Lang } from './format';

/** Every text on the wall in Chinese (default) and English. */
const T = {
  title: ['长江流域数字孪生 · 指挥调度', 'Yangtze Basin Twin · Command'],
  online: ['在线站点', 'Stations online'],
  waterClass: ['断面水质类别', 'Sections by water class'],
  aqi: ['城市空气质量', 'AQI by city'],
  aboveWarning: ['超警戒水位站', 'Gauges above warning'],
  activeAlerts: ['当前预警', 'Active alerts'],
  tasksOverdue: ['超期任务', 'Tasks overdue'],
  alerts: ['预警队列', 'Alert queue'],
  tasks: ['调度任务', 'Dispatch tasks'],
  notAvailable: ['暂不可用', 'not available'],
  notAvailableApi: ['服务端尚未提供此接口', 'this server does not offer it yet'],
  none: ['无', 'none'],
  noData: ['暂无数据', 'no data yet'],
  connecting: ['连接中…', 'connecting…'],
  live: ['实时', 'live'],
  lost: ['连接中断，正在重连', 'connection lost, reconnecting'],
  updated: ['更新于', 'updated'],
  ack: ['确认', 'Acknowledge'],
  dispatch: ['派发', 'Dispatch'],
  resolve: ['解除', 'Resolve'],
  plan: ['预案', 'Plan'],
  noPlan: ['无匹配预案', 'no matching plan'],
  alertTasks: ['本预警任务', 'Tasks of this alert'],
  dispatchPicked: ['派发所选任务', 'Dispatch selected'],
  minutes: ['分钟', 'min'],
  comment: ['处置说明', 'Comment'],
  signIn: ['登录', 'Sign in'],
  signOut: ['退出', 'Sign out'],
  apiKey: ['API 密钥', 'API key'],
  operatorOnly: ['需值班员权限', 'operator role needed'],
  all: ['全部', 'All'],
  close: ['关闭', 'Close'],
  stale: ['离线', 'stale'],
  quality: ['质控', 'QC'],
  age: ['时效', 'age'],
  due: ['截止', 'due'],
  overdue: ['已超期', 'overdue'],
  wall: ['大屏', 'Wall'],
  desk: ['工作台', 'Desk'],
  tour: ['轮巡', 'Tour'],
  levels: ['特征水位', 'Reference levels'],
  setup: ['设防', 'Set-up'],
  warning: ['警戒', 'Warning'],
  guaranteed: ['保证', 'Guaranteed'],
  histMax: ['历史最高', 'Record'],
  forecast: ['预报', 'Forecast'],
  forecastNA: ['预报暂不可用', 'forecast not available'],
  forecastPeak: ['预报峰值', 'Forecast peak'],
  detailTwin: ['断面孪生', 'cross-section twin'],
  openTwin: ['三维断面', '3D section'],
  openDam: ['三维大坝', '3D dam'],
  damTwin: ['大坝孪生', 'dam twin'],
  poolLevel: ['库水位', 'Pool'],
  outflow: ['出库', 'Outflow'],
  deadLevel: ['死水位', 'Dead level'],
  floodLimit: ['汛限', 'Flood limit'],
  normalPool: ['正常蓄水', 'Normal pool'],
  floodControlHigh: ['防洪高', 'Flood-control high'],
  damNote: ['示意大坝（非实测）：库水位对照当前有效的特征水位，下游水位示意', 'schematic dam (not surveyed): the pool against the levels in force today; tailwater schematic'],
  stage: ['水位', 'Stage'],
  twinNote: ['示意断面（非实测）：河槽、滩地与堤防按特征水位绘制，竖向放大', 'schematic section (not surveyed): channel, floodplain and dykes drawn around the reference levels, vertically exaggerated'],
  forecastBand: ['紫色带为约90%区间', 'purple band ≈ 90 % range'],
  chartEmpty: ['该时段无数据', 'no data in this window'],
  legend: ['图例', 'Legend'],
  replay: ['24小时回放', '24 h replay'],
  operatorActions: ['操作记录', 'Operator actions'],
  replayNoAlerts: ['服务器不提供告警时间线，仅回放站点状态', 'the server has no alert timeline: station state only'],
  replayAlertsTruncated: ['窗口内告警过多，仅回放最新部分', 'too many alerts in the window: only the newest are replayed'],
  replayTruncated: ['窗口内读数过多，部分站点未回放', 'too many readings in the window: some stations are not replayed'],
  reachLegend: ['河段（洪水颜色优先）水质类别:', 'Reaches (flood colour first), water class:'],
  cst: ['北京时间', 'China Standard Time'],
  analysis: ['分析', 'Analysis'],
  globe: ['三维', 'Globe'],
  metric: ['指标', 'Metric'],
  analysisNote: ['六边形：站点最新值均值；弧线：调度任务（自最近城市派出）；洪水演进/污染带需预报接口', 'hexagons: mean of latest values; arcs: dispatched tasks (sent from the nearest city); flood wave / plume need the forecast API'],
} as const satisfies Record<string, readonly [string, string]>;
export type TextKey = keyof typeof T;

export function t(key: TextKey, lang: Lang): string {
  return T[key][lang === 'zh' ? 0 : 1];
}

export const KIND_NAME: Readonly<Record<StationKind, readonly [string, string]>> = {
  hydrology_gauge: ['水文站', 'Gauge'],
  reservoir: ['水库', 'Reservoir'],
  lake_gauge: ['湖泊站', 'Lake gauge'],
  water_quality: ['水质站', 'Water quality'],
  water_intake: ['取水口', 'Intake'],
  air_quality: ['空气站', 'Air quality'],
  soil: ['土壤点', 'Soil'],
};

export const SEVERITY_NAME: Readonly<Record<Severity, readonly [string, string]>> = {
  red: ['红色', 'Red'],
  orange: ['橙色', 'Orange'],
  yellow: ['黄色', 'Yellow'],
  blue: ['蓝色', 'Blue'],
};

export const QUALITY_NAME = {
  pass: ['合格', 'pass'],
  suspect: ['可疑', 'suspect'],
  fail: ['错误', 'fail'],
  not_evaluated: ['未评估', 'not evaluated'],
} as const;

export const pick = (pair: readonly [string, string], lang: Lang): string => pair[lang === 'zh' ? 0 : 1];
