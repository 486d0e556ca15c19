import {
  Buffer as CesiumBuffer, BufferUsage, DrawCommand, EncodedCartesian3, Pass, RenderState, ShaderProgram, ShaderSource, VertexArray,
  type BoundingSphere, type Cartesian3, type Color,
} from 'cesium';

/**
 * Cesium's renderer classes, typed for the one primitive that uses them (station-symbols.ts).
 * `cesium` exports them at run time but marks them private and leaves them out of its TypeScript
 * declarations; the types below cover only what that primitive calls, as found in the source of
 * the pinned cesium@1.140.0 (Source/Renderer). A Cesium upgrade must re-check them: the browser
 * tests draw and pick stations through them. Imported by name: `import * as` would pull all of
 * Cesium's widgets into the bundle, whose knockout bindings evaluate strings (refused by the CSP).
 */
export interface GlBuffer {
  copyFromArrayView(view: ArrayBufferView, offsetInBytes?: number): void;
  destroy(): void;
}
export interface Attribute {
  index: number;
  vertexBuffer: GlBuffer;
  componentsPerAttribute: number;
  componentDatatype: number;
  normalize?: boolean;
  offsetInBytes?: number;
  strideInBytes?: number;
}
export interface GlObject {
  destroy(): void;
}
export interface PickId {
  color: Color;
  destroy(): void;
}
export interface Context {
  createPickId(object: object): PickId;
}
export interface DrawCommandOptions {
  primitiveType: number;
  vertexArray: GlObject;
  shaderProgram: GlObject;
  uniformMap: Record<string, () => unknown>;
  renderState: unknown;
  pass: number;
  owner: object;
  boundingVolume: BoundingSphere;
  pickId: string;
  count: number;
  executeInClosestFrustum: boolean;
  occlude: boolean;
}
/** The part of Cesium's FrameState a primitive's update() reads. */
export interface FrameState {
  context: Context;
  commandList: unknown[];
  passes: { render: boolean; pick: boolean };
}

declare module 'cesium' {
  export const Buffer: { createVertexBuffer(o: { context: Context; typedArray: ArrayBufferView; usage: number }): GlBuffer };
  export const BufferUsage: { STATIC_DRAW: number; DYNAMIC_DRAW: number };
  export const VertexArray: new (o: { context: Context; attributes: Attribute[] }) => GlObject;
  export const ShaderSource: new (o: { sources: string[]; defines?: string[] }) => unknown;
  export const ShaderProgram: {
    fromCache(o: { context: Context; vertexShaderSource: unknown; fragmentShaderSource: unknown; attributeLocations: Record<string, number> }): GlObject;
  };
  export const RenderState: { fromCache(o: object): unknown };
  export const DrawCommand: new (o: DrawCommandOptions) => object;
  export const Pass: { TRANSLUCENT: number; OVERLAY: number };
  export const EncodedCartesian3: { writeElements(c: Cartesian3, out: Float32Array, index: number): void };
}

export const renderer = { Buffer: CesiumBuffer, BufferUsage, VertexArray, ShaderSource, ShaderProgram, RenderState, DrawCommand, Pass, EncodedCartesian3 };
