/**
 * Shaders of the station symbols (station-symbols.ts): one point sprite per station, its shape
 * drawn from a distance function (crisp at any wall resolution), tinted by the station's colour
 * with a dark rim — the look of the 32-pixel shape images the layer used as billboards. Attribute
 * bytes: symbol-buffer.ts. Sizes, scale by distance and the depth handling follow Cesium's own
 * point primitives (PointPrimitiveCollectionVS.glsl): symbols are never hidden by the globe's
 * depth, but those beyond the horizon are not drawn.
 */
export const SYMBOL_VS = /* glsl */ `
in vec3 positionHigh;
in vec3 positionLow;
in vec4 pickColor;
in vec4 color;
in vec4 styleBytes; // shape, size in hundredths of 32 px, pulse, unused (normalised: ÷ 255)

uniform vec4 u_scaleByDistance;
uniform float u_phase;

out vec4 v_color;
out vec4 v_pickColor;
out vec3 v_shape; // sides (0: circle), rotation, circumradius in half-sizes
out float v_pixel; // one pixel in half-sizes

vec3 shapeOf(float k) {
  if (k < 0.5) return vec3(0.0, 0.0, 0.8125);
  if (k < 1.5) return vec3(3.0, -1.5707963, 0.8125);
  if (k < 2.5) return vec3(3.0, 1.5707963, 0.8125);
  if (k < 3.5) return vec3(4.0, 0.7853982, 0.9723);
  if (k < 4.5) return vec3(4.0, -1.5707963, 0.8125);
  if (k < 5.5) return vec3(6.0, 0.0, 0.8125);
  return vec3(5.0, -1.5707963, 0.8125);
}

void main() {
  vec4 style = floor(styleBytes * 255.0 + 0.5);
  vec4 p = czm_translateRelativeToEye(positionHigh, positionLow);
  vec4 positionEC = czm_modelViewRelativeToEye * p;
  float lengthSq = dot(positionEC.xyz, positionEC.xyz);
  // beyond the horizon: the ground's normal there faces away from the viewer
  vec3 world = positionHigh + positionLow;
  bool beyond = dot(normalize(world), czm_viewerPositionWC - world) < 0.0;

  float size = 32.0 * (style.y / 100.0) * czm_nearFarScalar(u_scaleByDistance, lengthSq);
  if (style.z > 0.5) size *= 1.0 + 0.45 * (0.5 + 0.5 * sin(u_phase * 6.2831853));
  size *= czm_pixelRatio;

  gl_Position = czm_projection * positionEC;
  czm_vertexLogDepth();
  // drawn over the globe and the vector layers: on the near plane, as Cesium does for
  // disableDepthTestDistance = Infinity (points behind the viewer stay clipped: w < 0)
  gl_Position.z = -gl_Position.w;
#ifdef LOG_DEPTH
  czm_vertexLogDepth(vec4(czm_currentFrustum.x));
#endif
  if (beyond || size < 0.5) gl_Position = vec4(2.0, 2.0, 2.0, 1.0); // outside the clip volume

  gl_PointSize = size;
  v_color = color;
  v_pickColor = pickColor;
  v_shape = shapeOf(style.x);
  v_pixel = 2.0 / max(size, 1.0);
}
`;

export const SYMBOL_FS = /* glsl */ `
in vec4 v_color;
in vec4 v_pickColor;
in vec3 v_shape;
in float v_pixel;

// Signed distance (in half-sizes) to a regular polygon with a vertex at angle rot, or a circle.
// Branch-free: both are computed and one is chosen (a circle's polygon is given three sides, so no
// division by zero reaches SwiftShader, whose branches evaluate both sides).
float shapeDistance(vec2 q) {
  float r = v_shape.z;
  float seg = 6.2831853 / max(v_shape.x, 3.0);
  float a = mod(atan(q.y, q.x) - v_shape.y, seg) - 0.5 * seg;
  float polygon = length(q) * cos(a) - r * cos(0.5 * seg);
  return v_shape.x < 0.5 ? length(q) - r : polygon;
}

const vec3 RIM = vec3(0.039, 0.078, 0.125); // #0a1420
const float HALF_RIM = 0.078; // a 2.5-pixel stroke on the 32-pixel symbol

void main() {
  vec2 q = gl_PointCoord * 2.0 - 1.0; // y down, as the canvas the shapes were drawn on
  float d = shapeDistance(q);
  float aa = v_pixel;
  float cover = 1.0 - smoothstep(-aa, aa, d - HALF_RIM);
  float rim = smoothstep(-aa, aa, d + HALF_RIM);
  vec4 c = vec4(mix(v_color.rgb, RIM, rim), v_color.a * cover);
  if (c.a < 0.005) discard;
  out_FragColor = czm_gammaCorrect(c);
  czm_writeLogDepth();
}
`;
