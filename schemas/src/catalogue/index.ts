export { BASIN_STATIONS, STATION_BY_ID } from './stations.js';
export { SNAP_MAX_KM, snapToRiver } from './stations.js';
export { RIVER_AXES, riverPoint, riverKmOf, isRiverWithAxis, HAN_LINE, YANGTZE_LINE, type RiverAxis, type RiverLine } from './rivers.js';
