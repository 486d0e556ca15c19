import { Station, type GaugeLevels, type StationInput } from '../station.js';
import type { MetricCode } from '../metrics.js';
import { ReferenceLevels, levelsAt, type ReferenceLevelsInput } from '../levels.js';
import { isRiverWithAxis, riverKmOf } from './rivers.js';
import { RESERVOIR_LEVELS, catalogueGaugeLevels } from './levels.js';
import { deriveMn } from '../mn.js';

/**
 * Real stations of the Hubei reach of the Yangtze basin.
 * Gauge levels (设防 / 警戒 / 保证, m) are from the Hubei Provincial Department of Water Resources
 * 江河水情 table (2023, historical maxima from the 2016 table); see data/domain/domain-facts.json
 * (`hydrology.stations_*`). Positions are approximate (marked `approximate: true`) unless a
 * source gave coordinates; river-km are derived from published reach lengths (Yichang–Wuhan
 * 624 km, Danjiangkou–Han mouth ~652 km) and are estimates.
 */
const HYDRO: MetricCode[] = ['water_level', 'discharge', 'rainfall'];
const WQ: MetricCode[] = ['water_temp', 'ph', 'do', 'conductivity', 'turbidity', 'codmn', 'nh3n', 'tp', 'tn'];
const AIR: MetricCode[] = ['pm25', 'pm10', 'so2', 'no2', 'co', 'o3', 'air_temp', 'humidity', 'pressure', 'wind_speed', 'wind_dir', 'rainfall'];
const SOIL: MetricCode[] = ['soil_moisture', 'soil_temp', 'soil_ph', 'cd', 'hg', 'as', 'pb', 'cr', 'cu', 'ni', 'zn'];
const SRC_LEVELS = 'levels: Hubei Dept. of Water Resources 江河水情 table 2023/2016 and news reports (domain-facts hydrology; see referenceLevels)';
const CWRC = '长江水利委员会水文局';
const HBSW = '湖北省水文水资源中心';

/**
 * How a position was obtained: `estimate` (general geography, not read in a source: snapped to
 * the river line), `coarse` (read in a source but rounded: kept, river-km from the nearest line
 * point) or `sourced` (read in a source: kept, not marked approximate).
 */
type Located = 'estimate' | 'coarse' | 'sourced';

type G = [id: string, zh: string, en: string, lon: number, lat: number, river: string | null, km: number | null, admin: string, owner: string, located?: Located];

// Positions of gauges are estimates (domain-facts approx_location, ±0.05°) unless marked.
const GAUGES: G[] = [
  ['yichang', '宜昌', 'Yichang', 111.29, 30.69, 'Yangtze', 0, '湖北省宜昌市', CWRC],
  ['zhicheng', '枝城', 'Zhicheng', 111.5, 30.3, 'Yangtze', 58, '湖北省宜昌市宜都市', CWRC],
  ['shashi', '沙市', 'Shashi', 112.26, 30.3, 'Yangtze', 148, '湖北省荆州市', CWRC],
  ['jianli', '监利', 'Jianli', 112.88, 29.8, 'Yangtze', 285, '湖北省荆州市监利市', CWRC],
  ['lianhuatang', '莲花塘', 'Lianhuatang', 113.2, 29.49, 'Yangtze', 405, '湖南省岳阳市', CWRC],
  ['luoshan', '螺山', 'Luoshan', 113.36, 29.67, 'Yangtze', 435, '湖北省荆州市洪湖市', CWRC],
  ['hankou', '汉口(武汉关)', 'Hankou', 114.283, 30.583, 'Yangtze', 624, '湖北省武汉市', CWRC, 'sourced'],
  ['huangshi', '黄石(黄石港)', 'Huangshi', 115.09, 30.22, 'Yangtze', 770, '湖北省黄石市', CWRC],
  ['wuxue', '码头镇(武穴)', 'Matouzhen (Wuxue)', 115.55, 29.85, 'Yangtze', 850, '湖北省黄冈市武穴市', CWRC],
  ['jiujiang', '九江', 'Jiujiang', 116.0, 29.73, 'Yangtze', null, '江西省九江市', CWRC],
  // 七里山, on the Dongting outlet channel ~3.5 km above the confluence
  ['chenglingji', '城陵矶(七里山)', 'Chenglingji (Qilishan)', 113.13, 29.43, 'Dongting outlet', null, '湖南省岳阳市', CWRC],
  ['xiangyang', '襄阳', 'Xiangyang', 112.14, 32.04, 'Han', 115, '湖北省襄阳市', HBSW],
  // 宜城 and 岳口: no position in the facts; the towns' positions (estimates)
  ['yicheng', '宜城', 'Yicheng', 112.26, 31.72, 'Han', null, '湖北省襄阳市宜城市', HBSW],
  ['huangzhuang', '皇庄', 'Huangzhuang', 112.57, 31.17, 'Han', 270, '湖北省荆门市钟祥市', HBSW],
  ['shayang', '沙洋', 'Shayang', 112.59, 30.7, 'Han', 340, '湖北省荆门市沙洋县', HBSW],
  ['yuekou', '岳口', 'Yuekou', 113.07, 30.48, 'Han', null, '湖北省天门市', HBSW],
  ['xiantao', '仙桃', 'Xiantao', 113.45, 30.36, 'Han', 510, '湖北省仙桃市', HBSW],
  ['hanchuan', '汉川', 'Hanchuan', 113.83, 30.65, 'Han', 590, '湖北省孝感市汉川市', HBSW],
  ['qianjiang-dongjing', '潜江(东荆河)', 'Qianjiang (Dongjing River)', 112.9, 30.42, 'Dongjing', null, '湖北省潜江市', HBSW],
  ['enshi', '恩施', 'Enshi', 109.48, 30.28, 'Qing', null, '湖北省恩施州恩施市', HBSW],
  ['gaobazhou', '高坝洲', 'Gaobazhou', 111.33, 30.42, 'Qing', null, '湖北省宜昌市宜都市', HBSW],
];

/** Latest 设防 / 警戒 / 保证 of a gauge (conservative where sources disagree), for `Station.levels`. */
function gaugeSummary(ref: ReferenceLevelsInput | null): GaugeLevels | null {
  if (!ref || ref.type !== 'gauge') return null;
  const now = levelsAt({ referenceLevels: ReferenceLevels.parse(ref) }, LATEST);
  if (!now || now.type !== 'gauge') return null;
  return { setup: now.fortification?.value ?? null, warning: now.warning?.value ?? null, guaranteed: now.guaranteed?.value ?? null, historicalMax: now.historicalMax?.value ?? null };
}
const LATEST = '2999-12-31';

function located(lon: number, lat: number, how: Located | undefined, elevation: number | null = null): StationInput['location'] & { snap: boolean } {
  return { lon, lat, elevation, approximate: how !== 'sourced', snap: (how ?? 'estimate') === 'estimate' };
}

function gauge([id, zh, en, lon, lat, river, km, admin, owner, how]: G): CatalogueInput {
  const referenceLevels = catalogueGaugeLevels(id);
  return {
    id,
    name: { zh: `${zh}水文站`, en: `${en} gauge` },
    kind: 'hydrology_gauge',
    location: located(lon, lat, how),
    river,
    riverKm: km,
    metrics: HYDRO,
    jurisdiction: { admin, owner, riverChief: river === 'Yangtze' ? '湖北省长江河长' : river === 'Han' ? '湖北省汉江河长' : null },
    levels: gaugeSummary(referenceLevels),
    referenceLevels,
    source: id === 'hankou' ? `${SRC_LEVELS}; position 114°17′E 30°35′N (domain-facts stations_yangtze[hankou].location, medium confidence)` : SRC_LEVELS,
  };
}

const LAKE_METRICS: MetricCode[] = ['water_level', 'rainfall', 'water_temp', 'ph', 'do', 'codmn', 'nh3n', 'tp', 'tn'];
type L = [id: string, zh: string, en: string, lon: number, lat: number, lake: string, admin: string];
// Lake gauge positions are estimates (the facts give none).
const LAKES: L[] = [
  ['honghu', '洪湖(挖沟咀)', 'Honghu Lake (Wagouzui)', 113.42, 29.85, 'Hong Hu', '湖北省荆州市洪湖市'],
  ['liangzi', '梁子湖(梁子镇)', 'Liangzi Lake (Liangzizhen)', 114.55, 30.2, 'Liangzi Hu', '湖北省鄂州市'],
  ['changhu', '长湖', 'Changhu Lake', 112.4, 30.45, 'Chang Hu', '湖北省荆州市'],
  ['futou', '斧头湖(三洲)', 'Futou Lake (Sanzhou)', 114.22, 30.05, 'Futou Hu', '湖北省武汉市江夏区 / 咸宁市'],
  ['diaocha', '汈汊湖(五房台)', 'Diaocha Lake (Wufangtai)', 113.72, 30.74, 'Diaocha Hu', '湖北省孝感市汉川市'],
];
const lakeGauge = ([id, zh, en, lon, lat, lake, admin]: L): CatalogueInput => {
  const referenceLevels = catalogueGaugeLevels(id);
  return {
    id, name: { zh, en }, kind: 'lake_gauge', location: located(lon, lat, 'coarse'), lake, metrics: LAKE_METRICS,
    jurisdiction: { admin, owner: HBSW, riverChief: `${zh.replace(/\(.*$/, '')}湖长` },
    levels: gaugeSummary(referenceLevels), referenceLevels, source: `${SRC_LEVELS}; position an estimate`,
  };
};

const RESERVOIRS: CatalogueInput[] = [
  {
    id: 'three-gorges', name: { zh: '三峡水库(坝前)', en: 'Three Gorges Reservoir' }, kind: 'reservoir',
    location: located(111.0033, 30.8231, 'sourced', 185), river: 'Yangtze', riverKm: -44,
    metrics: ['water_level', 'inflow', 'outflow', 'rainfall'],
    jurisdiction: { admin: '湖北省宜昌市夷陵区', owner: '中国长江三峡集团', riverChief: '湖北省长江河长' },
    referenceLevels: RESERVOIR_LEVELS['three-gorges']!,
    source: 'domain-facts hydrology.dams_reservoirs (normal pool 175 m, flood limit 145 m from 10 June, Wusong datum)',
  },
  {
    id: 'danjiangkou', name: { zh: '丹江口水库(坝前)', en: 'Danjiangkou Reservoir' }, kind: 'reservoir',
    location: located(111.4881, 32.5561, 'sourced', 176.6), river: 'Han', riverKm: 0,
    metrics: ['water_level', 'inflow', 'outflow', 'rainfall'],
    jurisdiction: { admin: '湖北省十堰市丹江口市', owner: '南水北调中线水源有限责任公司', riverChief: '湖北省汉江河长' },
    referenceLevels: RESERVOIR_LEVELS.danjiangkou!,
    source: 'domain-facts hydrology.dams_reservoirs (normal pool 170 m, flood limits 160 m summer / 163.5 m autumn, dead level 150 m)',
  },
];

type Q = [id: string, zh: string, en: string, lon: number, lat: number, river: string | null, km: number | null, admin: string, located: Located];
const WATER_QUALITY: Q[] = [
  ['wq-nanjinguan', '宜昌南津关', 'Yichang Nanjinguan', 111.270672, 30.754006, 'Yangtze', -5, '湖北省宜昌市', 'sourced'],
  ['wq-chenglingji', '岳阳城陵矶', 'Yueyang Chenglingji', 113.226103, 29.542769, 'Yangtze', 400, '湖南省岳阳市', 'sourced'],
  ['wq-qixing', '鄂州七星', 'Ezhou Qixing', 114.579849, 30.269218, 'Yangtze', 700, '湖北省鄂州市', 'estimate'],
  // "coarse (looks rounded to 1/3 deg-min); treat as low confidence": kept as published, not moved
  ['wq-zongguan', '武汉宗关', 'Wuhan Zongguan', 114.333333, 30.616667, 'Han', null, '湖北省武汉市', 'coarse'],
  ['wq-hujialing', '丹江口胡家岭', 'Danjiangkou Hujialing', 111.502222, 32.552222, 'Han', 2, '湖北省十堰市丹江口市', 'sourced'],
];
/**
 * Monitoring sections the Wuhan Ecology and Environment Bureau reports monthly (domain-facts
 * typical_sensor_ranges.water_quality_wuhan.observed_class: Han sections 新沟, 新港, 宗关, 龙王庙,
 * listed upstream to downstream). 新沟 is where the Han enters Wuhan, upstream of the Han intakes
 * (白鹤嘴, 琴断口, 国棉, 宗关): the twin watches it as an automatic station (an assumption: the
 * reports are of sampled sections). Position: Xingou town on the north (left) bank, an ESTIMATE,
 * snapped to the river line.
 */
const WUHAN_SECTIONS: Q[] = [['wq-xingou', '汉江新沟', 'Han River Xingou', 114.0, 30.64, 'Han', null, '湖北省武汉市东西湖区', 'estimate']];
const WUHAN_SECTION_SOURCE =
  'domain-facts typical_sensor_ranges.water_quality_wuhan (Wuhan EEB monthly reports list the Han section 新沟 upstream of 新港, 宗关, 龙王庙); automatic station assumed; position an estimate (Xingou town, north bank)';
const AIR_SITES: Q[] = [
  ['air-wuhan', '武汉', 'Wuhan', 114.3, 30.59, null, null, '湖北省武汉市', 'estimate'],
  ['air-yichang', '宜昌', 'Yichang', 111.29, 30.7, null, null, '湖北省宜昌市', 'estimate'],
  ['air-xiangyang', '襄阳', 'Xiangyang', 112.14, 32.04, null, null, '湖北省襄阳市', 'estimate'],
  ['air-jingzhou', '荆州', 'Jingzhou', 112.24, 30.33, null, null, '湖北省荆州市', 'estimate'],
  ['air-huangshi', '黄石', 'Huangshi', 115.04, 30.2, null, null, '湖北省黄石市', 'estimate'],
  ['air-shiyan', '十堰', 'Shiyan', 110.79, 32.63, null, null, '湖北省十堰市', 'estimate'],
];
const SOIL_SITES: Q[] = [
  ['soil-qianjiang', '潜江', 'Qianjiang', 112.9, 30.4, null, null, '湖北省潜江市', 'estimate'],
  ['soil-jiangling', '江陵', 'Jiangling', 112.42, 30.04, null, null, '湖北省荆州市江陵县', 'estimate'],
  ['soil-xiantao', '仙桃', 'Xiantao', 113.45, 30.37, null, null, '湖北省仙桃市', 'estimate'],
  ['soil-tianmen', '天门', 'Tianmen', 113.17, 30.66, null, null, '湖北省天门市', 'estimate'],
];

/**
 * The 13 intakes of Wuhan's water plants (domain-facts monitoring_sites.wuhan_drinking_water_intakes,
 * "金口 / 阳逻" counted as two). Exact intake coordinates were not found: 白沙洲 (30°28′N 114°14′E)
 * and 汉武 (30°18′35″N 114°04′E) are partial published values, the others are the plants' districts
 * (estimates), snapped to the river line. Bank (looking downstream): from the facts for 白沙洲
 * ("south bank"), 汉武 ("north bank"), 堤角 ("Hankou") and 平湖门 ("Wuchang"); the others from their
 * district (Hankou / Hanyang: left; Wuchang / Qingshan / Jiangxia: right); null where unknown.
 */
type I = [id: string, zh: string, en: string, lon: number, lat: number, river: 'Yangtze' | 'Han', bank: 'left' | 'right' | null, located: Located, withdrawal10kT: number | null];
const INTAKES: I[] = [
  ['intake-baihezui', '白鹤嘴水厂取水口', 'Baihezui intake', 114.12, 30.6, 'Han', null, 'estimate', 655.0],
  ['intake-qinduankou', '琴断口水厂取水口', 'Qinduankou intake', 114.17, 30.59, 'Han', 'right', 'estimate', 830.0],
  ['intake-guomian', '国棉水厂取水口', 'Guomian intake', 114.2, 30.59, 'Han', null, 'estimate', 20.3],
  ['intake-zongguan', '宗关水厂取水口', 'Zongguan intake', 114.23, 30.585, 'Han', 'left', 'estimate', 2208.8],
  ['intake-hanwu', '汉武水厂取水口', 'Hanwu (Hannan) intake', 114.0667, 30.3097, 'Yangtze', 'left', 'coarse', null],
  ['intake-jinkou', '金口水厂取水口', 'Jinkou intake', 114.11, 30.34, 'Yangtze', 'right', 'estimate', null],
  ['intake-zhuankou', '沌口水厂取水口', 'Zhuankou intake', 114.2, 30.48, 'Yangtze', 'left', 'estimate', 441.9],
  ['intake-baishazhou', '白沙洲水厂取水口', 'Baishazhou intake', 114.2333, 30.4667, 'Yangtze', 'right', 'coarse', 2305.7],
  ['intake-pinghumen', '平湖门水厂取水口', 'Pinghumen intake', 114.285, 30.55, 'Yangtze', 'right', 'estimate', 516.2],
  ['intake-dijiao', '堤角水厂取水口', 'Dijiao intake', 114.33, 30.64, 'Yangtze', 'left', 'estimate', 249.1],
  ['intake-yujiatou', '余家头水厂取水口', 'Yujiatou intake', 114.35, 30.62, 'Yangtze', 'right', 'estimate', 927.2],
  ['intake-gangdong', '港东水厂取水口', 'Gangdong intake', 114.41, 30.65, 'Yangtze', 'right', 'estimate', 1050.0],
  ['intake-yangluo', '阳逻水厂取水口', 'Yangluo intake', 114.55, 30.67, 'Yangtze', 'left', 'estimate', null],
];
const INTAKE_METRICS: MetricCode[] = ['water_temp', 'ph', 'do', 'turbidity', 'nh3n', 'codmn'];
const intake = ([id, zh, en, lon, lat, river, bank, how, withdrawal]: I): CatalogueInput => ({
  id, name: { zh, en }, kind: 'water_intake', location: located(lon, lat, how), river, riverKm: null, bank, metrics: INTAKE_METRICS,
  jurisdiction: { admin: '湖北省武汉市', owner: '武汉市水务集团', riverChief: `${river === 'Yangtze' ? '长江' : '汉江'}河长` },
  source: `domain-facts monitoring_sites.wuhan_drinking_water_intakes (Hubei EMC report Nov 2013${withdrawal === null ? '' : `: ${withdrawal} ×10⁴ t that month`}); position ${how === 'coarse' ? 'partial published coordinate' : 'an estimate (district)'}; level-1 protection zone 600 m upstream to 100 m downstream`,
});

function site(kind: StationInput['kind'], metrics: MetricCode[], owner: string, suffix: { zh: string; en: string }) {
  return ([id, zh, en, lon, lat, river, km, admin, how]: Q): CatalogueInput => ({
    id,
    name: { zh: `${zh}${suffix.zh}`, en: `${en}${suffix.en}` },
    kind,
    location: located(lon, lat, how),
    river,
    riverKm: km,
    metrics,
    jurisdiction: { admin, owner, riverChief: river ? `${river === 'Yangtze' ? '长江' : '汉江'}河长` : null },
    source: 'domain-facts monitoring_sites (national automatic water-quality stations); air and soil positions are city centres',
  });
}

/** Stations farther than this from their river line keep their own position. */
export const SNAP_MAX_KM = 15;

/**
 * Snap an approximate position of a river station to the river line (Natural Earth; see
 * data/SOURCE.md). Surveyed positions (`approximate: false`) and off-river stations are kept.
 */
export function snapToRiver(s: StationInput): StationInput {
  if (s.location.approximate === false || !isRiverWithAxis(s.river ?? null)) return s;
  const snap = riverKmOf(s.river as 'Yangtze' | 'Han', [s.location.lon, s.location.lat]);
  if (snap.offsetKm > SNAP_MAX_KM) return s;
  const [lon, lat] = snap.point;
  return {
    ...s,
    location: { ...s.location, lon: Math.round(lon * 1e4) / 1e4, lat: Math.round(lat * 1e4) / 1e4, approximate: true },
    riverKm: s.riverKm ?? Math.round(snap.km),
    source: `${s.source ?? ''}${s.source ? '; ' : ''}position approximate, snapped ${snap.offsetKm.toFixed(1)} km to the Natural Earth river line`,
  };
}

/** Catalogue entry: a station input whose position says whether it may be snapped to its river line. */
type CatalogueInput = Omit<StationInput, 'location'> & { location: StationInput['location'] & { snap: boolean } };

/** Snap estimated positions; a published position keeps its place and only gets its river-km. */
function place({ location: { snap, ...location }, ...s }: CatalogueInput): StationInput {
  const input: StationInput = { ...s, location };
  if (snap) return snapToRiver(input);
  if (input.riverKm == null && isRiverWithAxis(input.river ?? null)) {
    const k = riverKmOf(input.river as 'Yangtze' | 'Han', [location.lon, location.lat]);
    if (k.offsetKm <= SNAP_MAX_KM) return { ...input, riverKm: Math.round(k.km) };
  }
  return input;
}

export const BASIN_STATIONS: readonly Station[] = Object.freeze(
  [
    ...GAUGES.map(gauge),
    ...RESERVOIRS,
    ...LAKES.map(lakeGauge),
    ...WATER_QUALITY.map(site('water_quality', WQ, '中国环境监测总站 / 湖北省生态环境监测中心站', { zh: '水质自动站', en: ' water-quality station' })),
    ...WUHAN_SECTIONS.map((q) => ({ ...site('water_quality', WQ, '武汉市生态环境局', { zh: '断面水质自动站', en: ' section water-quality station' })(q), bank: 'left' as const, source: WUHAN_SECTION_SOURCE })),
    ...INTAKES.map(intake),
    ...AIR_SITES.map(site('air_quality', AIR, '湖北省生态环境监测中心站', { zh: '空气自动站', en: ' air station' })),
    ...SOIL_SITES.map(site('soil', SOIL, '湖北省生态环境监测中心站', { zh: '土壤监测点', en: ' soil site' })),
  ].map((s) => Station.parse({ ...place(s), mn: deriveMn(s.id) })),
);

export const STATION_BY_ID: ReadonlyMap<string, Station> = new Map(BASIN_STATIONS.map((s) => [s.id, s]));
