import { Station, type StationInput } from '../station.js';
import type { MetricCode } from '../metrics.js';
import { isRiverWithAxis, riverKmOf } from './rivers.js';

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
const AIR: MetricCode[] = ['pm25', 'pm10', 'so2', 'no2', 'co', 'o3', 'air_temp', 'humidity', 'rainfall'];
const SOIL: MetricCode[] = ['soil_moisture', 'soil_temp', 'soil_ph', 'cd', 'hg', 'as', 'pb', 'cr', 'cu', 'ni', 'zn'];
const SRC_LEVELS = 'Hubei Dept. of Water Resources 江河水情 table 2023/2016 (domain-facts hydrology)';
const CWRC = '长江水利委员会水文局';
const HBSW = '湖北省水文水资源中心';

type G = [id: string, zh: string, en: string, lon: number, lat: number, river: string, km: number, admin: string, levels: [number | null, number | null, number | null, number | null] | null, owner?: string];

const GAUGES: G[] = [
  ['yichang', '宜昌', 'Yichang', 111.29, 30.69, 'Yangtze', 0, '湖北省宜昌市', [52.0, 53.0, 55.73, 55.92], CWRC],
  ['zhicheng', '枝城', 'Zhicheng', 111.5, 30.3, 'Yangtze', 58, '湖北省宜昌市宜都市', [48.0, 49.0, 51.75, 50.75], CWRC],
  ['shashi', '沙市', 'Shashi', 112.26, 30.3, 'Yangtze', 148, '湖北省荆州市', [42.0, 43.0, 45.0, 45.22], CWRC],
  ['jianli', '监利', 'Jianli', 112.88, 29.8, 'Yangtze', 285, '湖北省荆州市监利市', [34.5, 35.7, 37.23, 38.31], CWRC],
  ['lianhuatang', '莲花塘', 'Lianhuatang', 113.2, 29.49, 'Yangtze', 405, '湖南省岳阳市', [null, 32.5, 34.4, 35.8], CWRC],
  ['luoshan', '螺山', 'Luoshan', 113.36, 29.67, 'Yangtze', 435, '湖北省荆州市洪湖市', [31.0, 32.0, 34.01, 34.95], CWRC],
  ['hankou', '汉口(武汉关)', 'Hankou', 114.29, 30.58, 'Yangtze', 624, '湖北省武汉市', [25.0, 27.3, 29.73, 29.73], CWRC],
  ['huangshi', '黄石(黄石港)', 'Huangshi', 115.09, 30.22, 'Yangtze', 770, '湖北省黄石市', [22.8, 24.5, 27.5, 26.39], CWRC],
  ['wuxue', '码头镇(武穴)', 'Matouzhen (Wuxue)', 115.55, 29.85, 'Yangtze', 850, '湖北省黄冈市武穴市', [20.5, 21.5, 24.5, 24.04], CWRC],
  ['xiangyang', '襄阳', 'Xiangyang', 112.14, 32.04, 'Han', 115, '湖北省襄阳市', [65.5, 67.0, 70.0, 71.71], HBSW],
  ['huangzhuang', '皇庄', 'Huangzhuang', 112.57, 31.17, 'Han', 270, '湖北省荆门市钟祥市', [47.0, 48.0, 50.62, 52.3], HBSW],
  ['shayang', '沙洋', 'Shayang', 112.59, 30.7, 'Han', 340, '湖北省荆门市沙洋县', [40.8, 41.8, 44.5, 44.5], HBSW],
  ['xiantao', '仙桃', 'Xiantao', 113.45, 30.36, 'Han', 510, '湖北省仙桃市', [34.1, 35.1, 36.2, 36.24], HBSW],
  ['hanchuan', '汉川', 'Hanchuan', 113.83, 30.65, 'Han', 590, '湖北省孝感市汉川市', [28.0, 29.0, 31.69, 32.09], HBSW],
];

function gauge([id, zh, en, lon, lat, river, km, admin, lv, owner]: G): StationInput {
  return {
    id,
    name: { zh: `${zh}水文站`, en: `${en} gauge` },
    kind: 'hydrology_gauge',
    location: { lon, lat, elevation: null, approximate: true },
    river,
    riverKm: km,
    metrics: HYDRO,
    jurisdiction: { admin, owner: owner ?? HBSW, riverChief: river === 'Yangtze' ? '湖北省长江河长' : '湖北省汉江河长' },
    levels: lv ? { setup: lv[0], warning: lv[1], guaranteed: lv[2], historicalMax: lv[3] } : null,
    source: SRC_LEVELS,
  };
}

const OTHERS: StationInput[] = [
  {
    id: 'three-gorges', name: { zh: '三峡水库(坝前)', en: 'Three Gorges Reservoir' }, kind: 'reservoir',
    location: { lon: 111.0033, lat: 30.8231, elevation: 185, approximate: false }, river: 'Yangtze', riverKm: -44,
    metrics: ['water_level', 'inflow', 'outflow', 'rainfall'],
    jurisdiction: { admin: '湖北省宜昌市夷陵区', owner: '中国长江三峡集团', riverChief: '湖北省长江河长' },
    levels: { setup: null, warning: 145, guaranteed: 175, historicalMax: 175 },
    source: 'domain-facts hydrology.dams_reservoirs (normal pool 175 m, flood limit 145 m, Wusong datum)',
  },
  {
    id: 'danjiangkou', name: { zh: '丹江口水库(坝前)', en: 'Danjiangkou Reservoir' }, kind: 'reservoir',
    location: { lon: 111.4881, lat: 32.5561, elevation: 176.6, approximate: false }, river: 'Han', riverKm: 0,
    metrics: ['water_level', 'inflow', 'outflow', 'rainfall'],
    jurisdiction: { admin: '湖北省十堰市丹江口市', owner: '南水北调中线水源有限责任公司', riverChief: '湖北省汉江河长' },
    levels: { setup: null, warning: 160, guaranteed: 170, historicalMax: null },
    source: 'domain-facts hydrology.dams_reservoirs (normal pool 170 m, summer flood limit 160 m)',
  },
  {
    id: 'honghu', name: { zh: '洪湖(挖沟咀)', en: 'Honghu Lake (Wagouzui)' }, kind: 'lake_gauge',
    location: { lon: 113.42, lat: 29.85, elevation: null, approximate: true }, lake: 'Hong Hu',
    metrics: ['water_level', 'rainfall', 'water_temp', 'ph', 'do', 'codmn', 'nh3n', 'tp', 'tn'],
    jurisdiction: { admin: '湖北省荆州市洪湖市', owner: HBSW, riverChief: '洪湖湖长' },
    levels: { setup: 25.8, warning: 26.2, guaranteed: 27.0, historicalMax: 27.19 }, source: SRC_LEVELS,
  },
  {
    id: 'liangzi', name: { zh: '梁子湖(梁子镇)', en: 'Liangzi Lake (Liangzizhen)' }, kind: 'lake_gauge',
    location: { lon: 114.55, lat: 30.2, elevation: null, approximate: true }, lake: 'Liangzi Hu',
    metrics: ['water_level', 'rainfall', 'water_temp', 'ph', 'do', 'codmn', 'nh3n', 'tp', 'tn'],
    jurisdiction: { admin: '湖北省鄂州市', owner: HBSW, riverChief: '梁子湖湖长' },
    levels: { setup: 19.0, warning: 20.5, guaranteed: 21.36, historicalMax: 21.52 }, source: SRC_LEVELS,
  },
];

type Q = [id: string, zh: string, en: string, lon: number, lat: number, river: string | null, km: number | null, admin: string, approximate: boolean];
const WATER_QUALITY: Q[] = [
  ['wq-nanjinguan', '宜昌南津关', 'Yichang Nanjinguan', 111.270672, 30.754006, 'Yangtze', -5, '湖北省宜昌市', false],
  ['wq-chenglingji', '岳阳城陵矶', 'Yueyang Chenglingji', 113.226103, 29.542769, 'Yangtze', 400, '湖南省岳阳市', false],
  ['wq-qixing', '鄂州七星', 'Ezhou Qixing', 114.579849, 30.269218, 'Yangtze', 700, '湖北省鄂州市', true],
  ['wq-zongguan', '武汉宗关', 'Wuhan Zongguan', 114.233333, 30.583333, 'Han', 640, '湖北省武汉市', true],
  ['wq-hujialing', '丹江口胡家岭', 'Danjiangkou Hujialing', 111.502222, 32.552222, 'Han', 2, '湖北省十堰市丹江口市', false],
];
const AIR_SITES: Q[] = [
  ['air-wuhan', '武汉', 'Wuhan', 114.3, 30.59, null, null, '湖北省武汉市', true],
  ['air-yichang', '宜昌', 'Yichang', 111.29, 30.7, null, null, '湖北省宜昌市', true],
  ['air-xiangyang', '襄阳', 'Xiangyang', 112.14, 32.04, null, null, '湖北省襄阳市', true],
  ['air-jingzhou', '荆州', 'Jingzhou', 112.24, 30.33, null, null, '湖北省荆州市', true],
  ['air-huangshi', '黄石', 'Huangshi', 115.04, 30.2, null, null, '湖北省黄石市', true],
  ['air-shiyan', '十堰', 'Shiyan', 110.79, 32.63, null, null, '湖北省十堰市', true],
];
const SOIL_SITES: Q[] = [
  ['soil-qianjiang', '潜江', 'Qianjiang', 112.9, 30.4, null, null, '湖北省潜江市', true],
  ['soil-jiangling', '江陵', 'Jiangling', 112.42, 30.04, null, null, '湖北省荆州市江陵县', true],
  ['soil-xiantao', '仙桃', 'Xiantao', 113.45, 30.37, null, null, '湖北省仙桃市', true],
  ['soil-tianmen', '天门', 'Tianmen', 113.17, 30.66, null, null, '湖北省天门市', true],
];
const INTAKES: Q[] = [
  ['intake-zongguan', '宗关水厂取水口', 'Zongguan intake', 114.23, 30.585, 'Han', 645, '湖北省武汉市', true],
  ['intake-baishazhou', '白沙洲水厂取水口', 'Baishazhou intake', 114.233, 30.467, 'Yangtze', 612, '湖北省武汉市', true],
  ['intake-yujiatou', '余家头水厂取水口', 'Yujiatou intake', 114.35, 30.62, 'Yangtze', 630, '湖北省武汉市', true],
];

function site(kind: StationInput['kind'], metrics: MetricCode[], owner: string, suffix: { zh: string; en: string }) {
  return ([id, zh, en, lon, lat, river, km, admin, approximate]: Q): StationInput => ({
    id,
    name: { zh: `${zh}${suffix.zh}`, en: `${en}${suffix.en}` },
    kind,
    location: { lon, lat, elevation: null, approximate },
    river,
    riverKm: km,
    metrics,
    jurisdiction: { admin, owner, riverChief: river ? `${river === 'Yangtze' ? '长江' : '汉江'}河长` : null },
    source: 'domain-facts monitoring_sites (national automatic water-quality stations, Wuhan intakes); air and soil positions are city centres',
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
    source: `${s.source ?? ''}${s.source ? '; ' : ''}position approximate, snapped ${snap.offsetKm.toFixed(1)} km to the Natural Earth river line`,
  };
}

export const BASIN_STATIONS: readonly Station[] = Object.freeze(
  [
    ...GAUGES.map(gauge),
    ...OTHERS,
    ...WATER_QUALITY.map(site('water_quality', WQ, '中国环境监测总站 / 湖北省生态环境监测中心站', { zh: '水质自动站', en: ' water-quality station' })),
    ...INTAKES.map(site('water_intake', ['water_temp', 'ph', 'do', 'turbidity', 'nh3n', 'codmn'], '武汉市水务集团', { zh: '', en: '' })),
    ...AIR_SITES.map(site('air_quality', AIR, '湖北省生态环境监测中心站', { zh: '空气自动站', en: ' air station' })),
    ...SOIL_SITES.map(site('soil', SOIL, '湖北省生态环境监测中心站', { zh: '土壤监测点', en: ' soil site' })),
  ].map((s) => Station.parse(snapToRiver(s))),
);

export const STATION_BY_ID: ReadonlyMap<string, Station> = new Map(BASIN_STATIONS.map((s) => [s.id, s]));
