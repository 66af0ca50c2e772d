/**
 * Modbus RTU framing: address + PDU + CRC, and an assembler that decides from the bytes
 * received so far when a response frame is complete.
 */
import { crcValid, withCrc } from './crc.ts';
import { FrameError, type RequestContext } from './errors.ts';
import { FN_READ_HOLDING, FN_READ_INPUT, FN_WRITE_MULTIPLE, parseResponsePdu } from './pdu.ts';

/** Largest RTU frame the spec allows (address + 253-byte PDU + CRC). */
export const MAX_RTU_FRAME = 256;

/** A complete RTU request frame: unit id, PDU, CRC. */
export function rtuFrame(unitId: number, pdu: Uint8Array): Buffer {
  const body = Buffer.alloc(1 + pdu.length);
  body.writeUInt8(unitId, 0);
  body.set(pdu, 1);
  return withCrc(body);
}

/**
 * Total length of the response frame that `bytes` begins, for a request of function `fn`, or
 * `undefined` while too few bytes have arrived to know. Returns -1 when the bytes cannot start an
 * answer to that function (garbled).
 */
export function expectedResponseLength(bytes: Uint8Array, fn: number): number | undefined {
  if (bytes.length < 2) return undefined;
  const got = bytes[1]!;
  if (got === (fn | 0x80)) return 5;
  if (got !== fn) return -1;
  if (fn === FN_READ_HOLDING || fn === FN_READ_INPUT) return bytes.length < 3 ? undefined : 5 + bytes[2]!;
  if (fn === FN_WRITE_MULTIPLE) return 8;
  return -1;
}

/** Result of feeding bytes to an {@link RtuResponseAssembler}. */
export type AssemblyState =
  | { done: false }
  | { done: true; registers: Uint16Array }
  | { done: true; error: FrameError | Error };

/**
 * Collects the bytes of one RTU response and validates it once complete: CRC, unit id, function,
 * byte count. Exceptions come back as errors, never thrown from `push`.
 */
export class RtuResponseAssembler {
  private buf: Buffer = Buffer.alloc(0);
  /** @param ctx the request being answered. */
  constructor(private readonly ctx: RequestContext) {}

  /** Bytes received so far. */
  get received(): Buffer {
    return this.buf;
  }

  /** Add received bytes; says whether the frame is complete and, if so, what it held. */
  push(chunk: Buffer): AssemblyState {
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    if (this.buf.length > MAX_RTU_FRAME) {
      return { done: true, error: new FrameError(this.ctx, 'garbled', `more than ${MAX_RTU_FRAME} bytes`, this.buf) };
    }
    const want = expectedResponseLength(this.buf, this.ctx.fn);
    if (want === undefined || (want > 0 && this.buf.length < want)) return { done: false };
    if (want < 0) {
      // Not the start of an answer: if the CRC over everything so far checks, it is a stray frame; either way garbled.
      return { done: true, error: new FrameError(this.ctx, 'garbled', `unexpected function byte ${this.buf[1]}`, this.buf) };
    }
    return { done: true, ...this.finish(this.buf.subarray(0, want)) };
  }

  /** Judge what arrived when the response timeout expired: a short frame if anything came. */
  incomplete(): FrameError | undefined {
    if (this.buf.length === 0) return undefined;
    return new FrameError(this.ctx, 'short', `${this.buf.length} bytes before the timeout`, this.buf);
  }

  private finish(frame: Buffer): { registers: Uint16Array } | { error: Error } {
    if (!crcValid(frame)) return { error: new FrameError(this.ctx, 'crc', 'CRC mismatch', frame) };
    if (frame[0] !== this.ctx.unitId) {
      return { error: new FrameError(this.ctx, 'mismatch', `answer from unit ${frame[0]}`, frame) };
    }
    try {
      return { registers: parseResponsePdu(this.ctx, frame.subarray(1, frame.length - 2)) };
    } catch (e) {
      return { error: e as Error };
    }
  }
}
