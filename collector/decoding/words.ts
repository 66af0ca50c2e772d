/** Decoding of 16-bit register words into numbers. */
import type { ValueType, WordOrder } from '../profiles/index.ts';

const scratch = new DataView(new ArrayBuffer(4));

/**
 * The value of `type` starting at `words[offset]`. 32-bit values take two words in `order`.
 * Throws RangeError when the words run out.
 */
export function decodeWords(words: ArrayLike<number>, offset: number, type: ValueType, order: WordOrder): number {
  const w0 = words[offset];
  if (w0 === undefined) throw new RangeError(`no register at offset ${offset}`);
  if (type === 'uint16') return w0;
  if (type === 'int16') return (w0 << 16) >> 16;
  const w1 = words[offset + 1];
  if (w1 === undefined) throw new RangeError(`no register at offset ${offset + 1}`);
  const [hi, lo] = order === 'high-first' ? [w0, w1] : [w1, w0];
  scratch.setUint16(0, hi);
  scratch.setUint16(2, lo);
  if (type === 'uint32') return scratch.getUint32(0);
  if (type === 'int32') return scratch.getInt32(0);
  return scratch.getFloat32(0);
}

/** Encode `value` as register words (the inverse of {@link decodeWords}); for tests and simulators. */
export function encodeWords(value: number, type: ValueType, order: WordOrder = 'high-first'): number[] {
  if (type === 'uint16' || type === 'int16') return [value & 0xffff];
  if (type === 'uint32') scratch.setUint32(0, value >>> 0);
  else if (type === 'int32') scratch.setInt32(0, value | 0);
  else scratch.setFloat32(0, value);
  const hi = scratch.getUint16(0);
  const lo = scratch.getUint16(2);
  return order === 'high-first' ? [hi, lo] : [lo, hi];
}
