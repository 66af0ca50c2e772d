/**
 * Seeded randomness. The load model is counter-based (noise for step k is a pure hash of the
 * seed and k), so a meter gives identical values however its clock is advanced: in one jump, in
 * many small ticks, live or in the fast ground-truth path.
 */

/** mulberry32: a small sequential PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mix two 32-bit integers into one (a mulberry32 round over their combination). */
export function hash32(seed: number, k: number): number {
  // k may exceed 32 bits (step indexes are small, but be safe): fold the high part in.
  const hi = Math.floor(k / 4294967296);
  let t = (seed ^ Math.imul(k >>> 0, 0x9e3779b1) ^ Math.imul(hi, 0x85ebca77)) >>> 0;
  t = (t + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

/** A float in [0, 1) that depends only on (seed, k). */
export function uniformAt(seed: number, k: number): number {
  return hash32(seed, k) / 4294967296;
}

/** An approximately standard-normal value that depends only on (seed, k) (Irwin–Hall of 4). */
export function normalAt(seed: number, k: number): number {
  let s = 0;
  for (let i = 0; i < 4; i++) s += uniformAt(hash32(seed, i + 1), k);
  // Sum of 4 uniforms has mean 2 and variance 1/3.
  return (s - 2) * Math.sqrt(3);
}

/** A 32-bit seed from any string (FNV-1a), to derive per-meter seeds from names. */
export function hashString(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
