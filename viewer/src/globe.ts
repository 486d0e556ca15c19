import './cesium-base';
import 'cesium/Build/Cesium/Widgets/widgets.css';
import {
  buildModuleUrl, Cartesian3, Color, Credit, EllipsoidTerrainProvider, ImageryLayer, Math as CMath, TileMapServiceImageryProvider,
  CesiumWidget, UrlTemplateImageryProvider, WebMapTileServiceImageryProvider,
} from 'cesium';
import type { TileService } from './config';
import { presetDestination } from './globe-math';
import type { Preset } from './presets';

/**
 * The Cesium globe with no Cesium ion and no network: Cesium's bundled Natural Earth II imagery
 * (served from this host under ./cesium/Assets), an ellipsoid terrain, no geocoder or layer picker,
 * optionally a configured WMTS / XYZ detail layer on top.
 */
export interface GlobeOptions {
  /** Render on demand, no MSAA, no atmosphere, no order-independent translucency: for walls without a GPU. */
  light: boolean;
  /** Below 1 renders fewer pixels (software rendering); 1 by default. */
  resolutionScale?: number;
  tiles: TileService | null;
}

/**
 * CesiumWidget, not Viewer: the Viewer's widgets bind with knockout, which evaluates strings —
 * refused by the API's Content-Security-Policy (no 'unsafe-eval'). The wall draws its own chrome.
 */
export function createGlobe(container: HTMLElement, opts: GlobeOptions): CesiumWidget {
  const baseLayer = ImageryLayer.fromProviderAsync(TileMapServiceImageryProvider.fromUrl(buildModuleUrl('Assets/Textures/NaturalEarthII')), {});
  const viewer = new CesiumWidget(container, {
    baseLayer,
    terrainProvider: new EllipsoidTerrainProvider(),
    scene3DOnly: true,
    requestRenderMode: opts.light,
    maximumRenderTimeChange: Number.POSITIVE_INFINITY,
    msaaSamples: opts.light ? 1 : 4,
    // order-independent translucency renders translucent commands into two extra targets and
    // composites them: work a wall without a GPU is spared in light mode (plain alpha blending)
    orderIndependentTranslucency: !opts.light,
    contextOptions: { webgl: { preserveDrawingBuffer: true } },
  });
  const scene = viewer.scene;
  scene.backgroundColor = Color.fromCssColorString('#02070d');
  scene.globe.baseColor = Color.fromCssColorString('#0b2233');
  scene.globe.enableLighting = false;
  scene.globe.showGroundAtmosphere = !opts.light;
  if (scene.skyAtmosphere) scene.skyAtmosphere.show = !opts.light;
  if (scene.skyBox) (scene.skyBox as unknown as { show: boolean }).show = false;
  if (scene.sun) scene.sun.show = false;
  if (scene.moon) scene.moon.show = false;
  scene.fog.enabled = false;
  if (opts.resolutionScale) viewer.resolutionScale = opts.resolutionScale;
  // Darken the bundled imagery so vector layers and stations stand out on a wall.
  const base = viewer.imageryLayers.get(0);
  if (base) {
    base.brightness = 0.55;
    base.saturation = 0.6;
  }
  if (opts.tiles) viewer.imageryLayers.add(new ImageryLayer(tileProvider(opts.tiles)));
  return viewer;
}

function tileProvider(t: TileService) {
  const credit = t.credit ? new Credit(t.credit) : undefined;
  if (t.type === 'xyz') return new UrlTemplateImageryProvider({ url: t.url, maximumLevel: t.maximumLevel, credit });
  return new WebMapTileServiceImageryProvider({
    url: t.url,
    layer: t.layer ?? '',
    style: t.style,
    format: t.format,
    tileMatrixSetID: t.tileMatrixSetID ?? '',
    maximumLevel: t.maximumLevel,
    credit,
  });
}

export function flyToPreset(viewer: CesiumWidget, p: Preset, seconds = 2.5): void {
  const d = presetDestination(p);
  const dest = Cartesian3.fromDegrees(d.lon, d.lat, d.height);
  const orientation = { heading: 0, pitch: CMath.toRadians(p.pitch), roll: 0 };
  if (seconds === 0) viewer.camera.setView({ destination: dest, orientation });
  else viewer.camera.flyTo({ destination: dest, orientation, duration: seconds });
  viewer.scene.requestRender();
}
