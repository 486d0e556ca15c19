/// <reference lib="dom" />
/** What the browser tests read from the viewer page (set by viewer/src/main.ts and bench-page.ts). */
import type { Viewer } from 'cesium';

declare global {
  interface Window {
    basin?: {
      viewer: Viewer;
      layer: { size: number };
      ready: boolean;
      flyTo: (id: string) => void;
      closePanel: () => void;
      screenPosition: (id: string) => { x: number; y: number } | null;
    };
  }
}
export {};
