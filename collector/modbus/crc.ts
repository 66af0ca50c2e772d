/** CRC-16/MODBUS (polynomial 0xA001 reflected, initial value 0xFFFF), per the Modbus over serial line spec. */

const TABLE: Uint16Array = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    t[i] = c;
  }
  return t;
})();

/** CRC-16/MODBUS of `bytes`. On the wire it is sent low byte first. */
export function crc16(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) crc = (crc >>> 8) ^ TABLE[(crc ^ b) & 0xff]!;
  return crc;
}

/** Append the CRC (low byte first) to `body`, giving a complete RTU frame. */
export function withCrc(body: Uint8Array): Buffer {
  const out = Buffer.alloc(body.length + 2);
  out.set(body, 0);
  out.writeUInt16LE(crc16(body), body.length);
  return out;
}

/** Whether the last two bytes of `frame` are the CRC of the rest. */
export function crcValid(frame: Uint8Array): boolean {
  if (frame.length < 3) return false;
  const body = frame.subarray(0, frame.length - 2);
  const got = frame[frame.length - 2]! | (frame[frame.length - 1]! << 8);
  return crc16(body) === got;
}
