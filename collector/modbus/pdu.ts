/**
 * Modbus application PDUs (function code + data) for the functions the collector uses:
 * 3 read holding registers, 4 read input registers, 16 write multiple registers.
 */
import { FrameError, ModbusExceptionError, type RequestContext } from './errors.ts';

/** Function code 3: read holding registers. */
export const FN_READ_HOLDING = 3;
/** Function code 4: read input registers. */
export const FN_READ_INPUT = 4;
/** Function code 16: write multiple registers. */
export const FN_WRITE_MULTIPLE = 16;

/** Largest register count one read request may ask for (spec: 125). */
export const MAX_READ_COUNT = 125;
/** Largest register count one write-multiple request may carry (spec: 123). */
export const MAX_WRITE_COUNT = 123;

/** The PDU of a read request (function 3 or 4). */
export function readRequestPdu(fn: number, address: number, count: number): Buffer {
  if (count < 1 || count > MAX_READ_COUNT) throw new RangeError(`read count ${count} outside 1..${MAX_READ_COUNT}`);
  if (address < 0 || address + count > 0x10000) throw new RangeError(`register range ${address}+${count} outside 0..65535`);
  const pdu = Buffer.alloc(5);
  pdu.writeUInt8(fn, 0);
  pdu.writeUInt16BE(address, 1);
  pdu.writeUInt16BE(count, 3);
  return pdu;
}

/** The PDU of a write-multiple-registers request (function 16). */
export function writeMultiplePdu(address: number, values: ArrayLike<number>): Buffer {
  const n = values.length;
  if (n < 1 || n > MAX_WRITE_COUNT) throw new RangeError(`write count ${n} outside 1..${MAX_WRITE_COUNT}`);
  const pdu = Buffer.alloc(6 + n * 2);
  pdu.writeUInt8(FN_WRITE_MULTIPLE, 0);
  pdu.writeUInt16BE(address, 1);
  pdu.writeUInt16BE(n, 3);
  pdu.writeUInt8(n * 2, 5);
  for (let i = 0; i < n; i++) pdu.writeUInt16BE(values[i]! & 0xffff, 6 + i * 2);
  return pdu;
}

/**
 * Check a response PDU against its request and return the registers read (functions 3/4) or an
 * empty array (function 16). Throws {@link ModbusExceptionError} for an exception response and
 * {@link FrameError} for anything malformed or not answering this request.
 */
export function parseResponsePdu(ctx: RequestContext, pdu: Buffer): Uint16Array {
  if (pdu.length < 2) throw new FrameError(ctx, 'short', `PDU of ${pdu.length} bytes`, pdu);
  const fn = pdu[0]!;
  if (fn === (ctx.fn | 0x80)) {
    if (pdu.length !== 2) throw new FrameError(ctx, 'garbled', `exception PDU of ${pdu.length} bytes`, pdu);
    throw new ModbusExceptionError(ctx, pdu[1]!);
  }
  if (fn !== ctx.fn) throw new FrameError(ctx, 'mismatch', `function ${fn} answers a function ${ctx.fn} request`, pdu);
  if (fn === FN_READ_HOLDING || fn === FN_READ_INPUT) {
    const byteCount = pdu[1]!;
    if (byteCount !== ctx.count * 2) {
      throw new FrameError(ctx, 'mismatch', `byte count ${byteCount}, expected ${ctx.count * 2}`, pdu);
    }
    if (pdu.length !== 2 + byteCount) {
      throw new FrameError(ctx, pdu.length < 2 + byteCount ? 'short' : 'garbled', `PDU of ${pdu.length} bytes for byte count ${byteCount}`, pdu);
    }
    const out = new Uint16Array(ctx.count);
    for (let i = 0; i < ctx.count; i++) out[i] = pdu.readUInt16BE(2 + i * 2);
    return out;
  }
  if (fn === FN_WRITE_MULTIPLE) {
    if (pdu.length !== 5) throw new FrameError(ctx, pdu.length < 5 ? 'short' : 'garbled', `write echo of ${pdu.length} bytes`, pdu);
    const address = pdu.readUInt16BE(1);
    const count = pdu.readUInt16BE(3);
    if (address !== ctx.address || count !== ctx.count) {
      throw new FrameError(ctx, 'mismatch', `write echo ${address}+${count}, expected ${ctx.address}+${ctx.count}`, pdu);
    }
    return new Uint16Array(0);
  }
  throw new FrameError(ctx, 'garbled', `unsupported function ${fn}`, pdu);
}
