import type { Cartesian3} from 'cesium';
import { BlendingState, BoundingSphere, Cartesian4, ComponentDatatype, PrimitiveType, type Color } from 'cesium';
import { renderer as R, type Context, type FrameState, type GlBuffer, type GlObject, type PickId } from './cesium-renderer';
import { SYMBOL_FS, SYMBOL_VS } from './station-symbols-glsl';
import { SymbolBuffer, packRgba, SYMBOL_STRIDE, type Shape } from './symbol-buffer';

/**
 * All station symbols as one Cesium primitive: a single draw of point sprites whose colour, shape,
 * size and pulse live in a per-station byte buffer (symbol-buffer.ts). A frame's recolourings are
 * written to that buffer and copied to the GPU in one call covering the changed span; nothing is
 * done per station per frame on the CPU, and a pulse is animated by the shader.
 *
 * Why not Cesium's BillboardCollection (used before): it revisits every billboard each frame and
 * writes recolourings one buffer call each — with 10,000 stations and 1,000 updates a second on
 * SwiftShader its frame cost 6–7 ms of main-thread time against ~2 ms for the globe alone
 * (`npm run bench -- viewer`, README). Picking goes through Cesium's pick pass (`scene.pick`
 * returns `{ primitive, id, collection }` with the station id).
 */
export interface SymbolInput {
  id: string;
  position: Cartesian3;
  shape: Shape;
  /** Size as a multiple of the 32-pixel symbol. */
  size: number;
}

const LOCATIONS = { positionHigh: 0, positionLow: 1, pickColor: 2, color: 3, styleBytes: 4 };

interface Gpu {
  va: GlObject;
  styleBuffer: GlBuffer;
  program: GlObject;
  command: object;
  pickCommand: object;
  pickIds: PickId[];
}

export class StationSymbols {
  show = true;
  private ids: string[] = [];
  private positions = new Float32Array(0);
  private bounds = new BoundingSphere();
  private data = new SymbolBuffer(0);
  private gpu: Gpu | null = null;
  private rebuild = false;
  private destroyed = false;
  private readonly uniforms: Record<string, () => unknown>;
  private readonly neutral: number;

  constructor(scaleByDistance: { near: number; nearValue: number; far: number; farValue: number }, neutral: Color) {
    const sbd = new Cartesian4(scaleByDistance.near, scaleByDistance.nearValue, scaleByDistance.far, scaleByDistance.farValue);
    this.uniforms = { u_scaleByDistance: () => sbd, u_phase: () => (performance.now() / 1000) % 1 };
    this.neutral = packRgba(neutral);
  }

  get count(): number {
    return this.ids.length;
  }

  /** Replaces all symbols (neutral colour, not pulsing); their index is their order here. */
  set(stations: readonly SymbolInput[]): void {
    this.ids = stations.map((s) => s.id);
    this.positions = new Float32Array(stations.length * 6);
    this.data = new SymbolBuffer(stations.length);
    stations.forEach((s, i) => {
      R.EncodedCartesian3.writeElements(s.position, this.positions, i * 6);
      this.data.setColor(i, this.neutral);
      this.data.setShape(i, s.shape);
      this.data.setSize(i, s.size);
    });
    this.bounds = BoundingSphere.fromPoints(stations.map((s) => s.position));
    this.data.takeDirty();
    this.rebuild = true;
  }

  /** Colours symbol i (packRgba); false when it had that colour already. */
  setColor(i: number, rgba: number): boolean {
    return this.data.setColor(i, rgba);
  }

  setSize(i: number, size: number): void {
    this.data.setSize(i, size);
  }

  setPulse(i: number, on: boolean): void {
    this.data.setPulse(i, on);
  }

  /** Called by Cesium once per frame (and per pick). */
  update(frameState: FrameState): void {
    if (!this.show || this.ids.length === 0) return;
    if (this.rebuild || !this.gpu) {
      this.release();
      this.gpu = this.create(frameState.context);
      this.rebuild = false;
    } else {
      const dirty = this.data.takeDirty();
      if (dirty) this.gpu.styleBuffer.copyFromArrayView(dirty.view, dirty.offsetInBytes);
    }
    if (frameState.passes.render) frameState.commandList.push(this.gpu.command);
    if (frameState.passes.pick) frameState.commandList.push(this.gpu.pickCommand);
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  destroy(): void {
    this.release();
    this.destroyed = true;
  }

  private create(context: Context): Gpu {
    const n = this.ids.length;
    const pickIds = this.ids.map((id) => context.createPickId({ primitive: this, id, collection: this }));
    const pickBytes = new Uint8Array(Uint32Array.from(pickIds, (p) => packRgba(p.color)).buffer);
    const positionBuffer = R.Buffer.createVertexBuffer({ context, typedArray: this.positions, usage: R.BufferUsage.STATIC_DRAW });
    const pickBuffer = R.Buffer.createVertexBuffer({ context, typedArray: pickBytes, usage: R.BufferUsage.STATIC_DRAW });
    const styleBuffer = R.Buffer.createVertexBuffer({ context, typedArray: this.data.bytes, usage: R.BufferUsage.DYNAMIC_DRAW });
    this.data.takeDirty();
    const FLOAT = ComponentDatatype.FLOAT;
    const BYTE = ComponentDatatype.UNSIGNED_BYTE;
    const va = new R.VertexArray({
      context,
      attributes: [
        { index: LOCATIONS.positionHigh, vertexBuffer: positionBuffer, componentsPerAttribute: 3, componentDatatype: FLOAT, offsetInBytes: 0, strideInBytes: 24 },
        { index: LOCATIONS.positionLow, vertexBuffer: positionBuffer, componentsPerAttribute: 3, componentDatatype: FLOAT, offsetInBytes: 12, strideInBytes: 24 },
        { index: LOCATIONS.pickColor, vertexBuffer: pickBuffer, componentsPerAttribute: 4, componentDatatype: BYTE, normalize: true },
        { index: LOCATIONS.color, vertexBuffer: styleBuffer, componentsPerAttribute: 4, componentDatatype: BYTE, normalize: true, offsetInBytes: 0, strideInBytes: SYMBOL_STRIDE },
        { index: LOCATIONS.styleBytes, vertexBuffer: styleBuffer, componentsPerAttribute: 4, componentDatatype: BYTE, normalize: true, offsetInBytes: 4, strideInBytes: SYMBOL_STRIDE },
      ],
    });
    const program = R.ShaderProgram.fromCache({
      context,
      vertexShaderSource: new R.ShaderSource({ sources: [SYMBOL_VS] }),
      fragmentShaderSource: new R.ShaderSource({ sources: [SYMBOL_FS] }),
      attributeLocations: LOCATIONS,
    });
    // one draw with alpha blending (anti-aliased edges) in Cesium's overlay pass: after the globe and
    // every vector layer, so no river, boundary or label line crosses a symbol. The overlay pass is
    // not picked: the same draw goes into the pick pass as a translucent command with a pick id.
    const renderState = R.RenderState.fromCache({ depthTest: { enabled: false }, depthMask: false, blending: BlendingState.ALPHA_BLEND });
    const draw = (pass: number) =>
      new R.DrawCommand({
        primitiveType: PrimitiveType.POINTS,
        vertexArray: va,
        shaderProgram: program,
        uniformMap: this.uniforms,
        renderState,
        pass,
        owner: this,
        boundingVolume: this.bounds,
        pickId: 'v_pickColor',
        count: n,
        executeInClosestFrustum: true,
        occlude: false,
      });
    const command = draw(R.Pass.OVERLAY);
    const pickCommand = draw(R.Pass.TRANSLUCENT);
    return { va, styleBuffer, program, command, pickCommand, pickIds };
  }

  private release(): void {
    if (!this.gpu) return;
    this.gpu.va.destroy(); // and its buffers
    this.gpu.program.destroy();
    for (const p of this.gpu.pickIds) p.destroy();
    this.gpu = null;
  }
}
