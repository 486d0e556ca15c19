/**
 * Camera presets of the command centre: where operators look during floods and spills.
 * Positions are lon/lat of the view centre, the height of the camera (m) and the pitch (°).
 */
export interface Preset {
  id: string;
  zh: string;
  en: string;
  lon: number;
  lat: number;
  height: number;
  pitch: number;
}

export const PRESETS: readonly Preset[] = [
  { id: 'basin', zh: '全流域', en: 'Whole basin', lon: 109.5, lat: 30.2, height: 2_300_000, pitch: -75 },
  { id: 'jingjiang', zh: '荆江河段', en: 'Jingjiang reach', lon: 112.3, lat: 29.9, height: 300_000, pitch: -55 },
  { id: 'wuhan', zh: '武汉', en: 'Wuhan', lon: 114.3, lat: 30.0, height: 140_000, pitch: -50 },
  { id: 'three-gorges', zh: '三峡', en: 'Three Gorges', lon: 111.0, lat: 30.2, height: 170_000, pitch: -50 },
  { id: 'danjiangkou', zh: '丹江口', en: 'Danjiangkou', lon: 111.45, lat: 32.1, height: 190_000, pitch: -55 },
  { id: 'honghu', zh: '洪湖', en: 'Honghu', lon: 113.4, lat: 29.35, height: 140_000, pitch: -55 },
];
