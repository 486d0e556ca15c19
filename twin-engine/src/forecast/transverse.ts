/**
 * Transverse (cross-river) mixing of a plume that enters at one bank (pure maths, no I/O).
 *
 * Fischer, List, Koh, Imberger & Brooks (1979), "Mixing in Inland and Coastal Waters", ch. 5:
 *
 *   transverse mixing coefficient   Ey ≈ 0.6 · d · u*                (eq. 5.6; straight channels
 *                                                                     0.15·d·u*, meandering more:
 *                                                                     0.6 ± 50 % for natural rivers)
 *   mixing length, bank-side source L ≈ 0.4 · u · B² / Ey            (eq. 5.11: the distance below
 *                                                                     which the concentration across
 *                                                                     the river stays within 5 % of
 *                                                                     its mean; a centreline source
 *                                                                     mixes four times faster)
 *   lateral spread                  σy² = σy0² + 2 · Ey · x / u
 *   profile of a bank-side source   c(y) / c̄ = 2B · Σₙ φ(y − 2nB; σy)  (method of images, both
 *                                                                     banks reflecting; φ the normal
 *                                                                     density; y from the source bank)
 *
 * d depth, u* shear velocity, u mean velocity, B width, x distance below the source, c̄ the
 * cross-section mean. Near the source the source bank sees many times the mean and the far bank
 * almost nothing; at x ≈ L both are within about 5 % of the mean.
 */

const SQRT_2PI = Math.sqrt(2 * Math.PI);

/** Ey = 0.6 · d · u*, m²/s (depth m, shear velocity m/s). */
export const transverseMixingCoefficient = (depthM: number, shearVelocityMs: number): number => 0.6 * depthM * shearVelocityMs;

/** L = 0.4 · u · B² / Ey, m: distance below a bank-side source to mix across the river. */
export const mixingLengthBankSource = (velocityMs: number, widthM: number, transverseM2s: number): number => (0.4 * velocityMs * widthM ** 2) / transverseM2s;

/** σy at `xM` m below the source, m (σy0 the spread at the source). */
export const lateralSpread = (sigmaY0M: number, transverseM2s: number, xM: number, velocityMs: number): number =>
  Math.sqrt(sigmaY0M ** 2 + (2 * transverseM2s * Math.max(0, xM)) / velocityMs);

/** c(y)/c̄ at `y` m from the plume's bank, width `w`, lateral spread `sigmaY` (images of both banks). */
export function lateralProfile(y: number, sigmaY: number, w: number): number {
  const images = Math.ceil((4 * sigmaY) / (2 * w)) + 1;
  let sum = 0;
  for (let n = -images; n <= images; n++) sum += Math.exp(-0.5 * ((y - 2 * n * w) / sigmaY) ** 2);
  return (2 * w * sum) / (sigmaY * SQRT_2PI);
}

export type Bank = 'left' | 'right';

/** The cross-section a plume mixes across: its width, and where its stations sit. */
export interface Section {
  widthM: number;
  /** Distance of a bank-side station (intake, water-quality station) from its bank, m. */
  stationOffsetM: number;
}

/**
 * c/c̄ at a station on `stationBank` for a plume that hugs `plumeBank` with spread `sigmaY`: the
 * near bank is at the offset from the plume's bank, the far bank at the width minus the offset.
 * A station of unknown bank gets the larger of the two (precautionary).
 */
export function bankFactor(plumeBank: Bank, stationBank: Bank | null, sigmaY: number, s: Section): number {
  const near = lateralProfile(s.stationOffsetM, sigmaY, s.widthM);
  const far = lateralProfile(s.widthM - s.stationOffsetM, sigmaY, s.widthM);
  if (stationBank === null) return Math.max(near, far);
  return stationBank === plumeBank ? near : far;
}
