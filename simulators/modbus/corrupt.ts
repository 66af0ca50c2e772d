/**
 * Byte-level damage for fault injection, pure given a random source: a wrong CRC (RTU) or
 * garbled payload bytes (both transports).
 */

/** Flip the CRC of an RTU frame so a receiver's check fails. */
export function breakCrc(frame: Buffer): Buffer {
  const b = Buffer.from(frame);
  b[b.length - 1] = b[b.length - 1]! ^ 0xa5;
  return b;
}

/**
 * Garble bytes from `from` on: overwrite 1–3 of them with different random values. For a read
 * answer the byte count is garbled too so a receiver can tell the frame is damaged.
 */
export function garble(frame: Buffer, from: number, random: () => number): Buffer {
  const b = Buffer.from(frame);
  const span = b.length - from;
  if (span <= 0) return b;
  const n = 1 + Math.floor(random() * 3);
  for (let i = 0; i < n; i++) {
    const at = from + Math.floor(random() * span);
    b[at] = b[at]! ^ (1 + Math.floor(random() * 255));
  }
  return b;
}
