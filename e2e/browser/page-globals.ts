/// <reference lib="dom" />
/** What the browser tests read from the viewer page (set by viewer/src/main.ts and bench-page.ts). */
import type { CesiumWidget } from 'cesium';

declare global {
  interface Window {
    basin?: {
      viewer: CesiumWidget;
      layer: { size: number; colorOf: (id: string) => string | null };
      reaches: { size: number };
      boundaries: { prefectures: number; counties: number };
      state: { reachesColoured: number };
      ready: boolean;
      flyTo: (id: string) => void;
      closePanel: () => void;
      twin: () => { frames: number } | null;
      screenPosition: (id: string) => { x: number; y: number } | null;
    };
  }
}
export {};
