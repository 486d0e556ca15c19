export { BASIN_STATIONS, STATION_BY_ID } from './stations.js';
