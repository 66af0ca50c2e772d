/**
 * Modbus framing, pure: MBAP (TCP) stream splitting and RTU frames with CRC, plus the RTU line
 * timing (11 bits a character, 3.5 characters of silence between frames).
 */
import { crc16 } from './crc.ts';

/** One Modbus TCP ADU split into its header fields and PDU. */
export interface TcpFrame {
  transaction: number;
  protocol: number;
  unit: number;
  pdu: Buffer;
}

/**
 * Split complete MBAP frames off the front of a stream buffer. `bad` is set when a header is
 * impossible (length 0 or > 254): the stream is then out of sync and should be closed.
 */
export function takeTcpFrames(buf: Buffer): { frames: TcpFrame[]; rest: Buffer; bad: boolean } {
  const frames: TcpFrame[] = [];
  let off = 0;
  while (buf.length - off >= 7) {
    const len = buf.readUInt16BE(off + 4);
    if (len < 2 || len > 254) return { frames, rest: Buffer.alloc(0), bad: true };
    if (buf.length - off < 6 + len) break;
    frames.push({
      transaction: buf.readUInt16BE(off),
      protocol: buf.readUInt16BE(off + 2),
      unit: buf[off + 6]!,
      pdu: Buffer.from(buf.subarray(off + 7, off + 6 + len)),
    });
    off += 6 + len;
  }
  return { frames, rest: Buffer.from(buf.subarray(off)), bad: false };
}

/** Build a Modbus TCP ADU. */
export function tcpFrame(transaction: number, unit: number, pdu: Uint8Array): Buffer {
  const b = Buffer.alloc(7 + pdu.length);
  b.writeUInt16BE(transaction & 0xffff, 0);
  b.writeUInt16BE(0, 2);
  b.writeUInt16BE(pdu.length + 1, 4);
  b[6] = unit;
  b.set(pdu, 7);
  return b;
}

/** Build an RTU frame: unit, PDU, CRC (low byte first). */
export function rtuFrame(unit: number, pdu: Uint8Array): Buffer {
  const b = Buffer.alloc(pdu.length + 3);
  b[0] = unit;
  b.set(pdu, 1);
  const crc = crc16(b.subarray(0, pdu.length + 1));
  b.writeUInt16LE(crc, pdu.length + 1);
  return b;
}

/** Parse an RTU frame; undefined when too short or the CRC does not match. */
export function parseRtuFrame(frame: Uint8Array): { unit: number; pdu: Buffer } | undefined {
  if (frame.length < 4) return undefined;
  const crc = frame[frame.length - 2]! | (frame[frame.length - 1]! << 8);
  if (crc16(frame.subarray(0, frame.length - 2)) !== crc) return undefined;
  return { unit: frame[0]!, pdu: Buffer.from(frame.subarray(1, frame.length - 2)) };
}

/**
 * Length of the RTU request starting at buf[0] when its size is known from the function code
 * (3, 4, 6: 8 bytes; 16: 9 + byte count), or undefined when not yet determinable.
 */
export function rtuRequestLength(buf: Uint8Array): number | undefined {
  if (buf.length < 2) return undefined;
  const fc = buf[1]!;
  if (fc === 3 || fc === 4 || fc === 6 || fc === 1 || fc === 2 || fc === 5) return 8;
  if (fc === 16 || fc === 15) return buf.length >= 7 ? 9 + buf[6]! : undefined;
  return undefined;
}

/** Bits per RTU character: start, 8 data, parity or second stop, stop. */
export const RTU_BITS_PER_CHAR = 11;

/** Seconds one character takes on the line at `baud`. */
export function charSeconds(baud: number): number {
  return RTU_BITS_PER_CHAR / baud;
}

/**
 * Wire time of one request/answer exchange: request bytes, silence, answer bytes, silence.
 * At 9600 baud a 40-register read (8 + 85 bytes, 3.5 + 3.5 silence) is 100 chars ≈ 114.6 ms.
 */
export function exchangeSeconds(baud: number, requestBytes: number, answerBytes: number, silenceChars = 3.5): number {
  return (requestBytes + answerBytes + 2 * silenceChars) * charSeconds(baud);
}
