/**
 * Modbus application layer of the terminal, pure over the terminal state: function 3 (read
 * holding registers), 16 and 6 (write multiple or single registers, only the record selector),
 * exceptions for everything else.
 */
import { EXCEPTION, readHolding, writeHolding, type Terminal } from '../terminal/index.ts';

/** An exception PDU: function code with the high bit set, then the code. */
export function exceptionPdu(fc: number, code: number): Buffer {
  return Buffer.from([(fc | 0x80) & 0xff, code]);
}

/**
 * Serve one request PDU for `unit`; undefined when no meter sits behind the unit id (the
 * transport decides: a TCP gateway answers 0x0B, an RTU bus stays silent).
 */
export function servePdu(terminal: Terminal, unit: number, pdu: Buffer): Buffer | undefined {
  const slot = terminal.slot(unit);
  if (!slot) return undefined;
  const fc = pdu[0] ?? 0;
  if (fc === 3) {
    if (pdu.length !== 5) return exceptionPdu(fc, EXCEPTION.illegalValue);
    const words = readHolding(slot.meter, terminal.selected.get(unit), pdu.readUInt16BE(1), pdu.readUInt16BE(3));
    if (typeof words === 'number') return exceptionPdu(fc, words);
    const out = Buffer.alloc(2 + words.length * 2);
    out[0] = 3;
    out[1] = words.length * 2;
    words.forEach((w, i) => out.writeUInt16BE(w, 2 + 2 * i));
    return out;
  }
  if (fc === 16) {
    if (pdu.length < 6) return exceptionPdu(fc, EXCEPTION.illegalValue);
    const count = pdu.readUInt16BE(3);
    const bytes = pdu[5]!;
    if (bytes !== count * 2 || pdu.length !== 6 + bytes) return exceptionPdu(fc, EXCEPTION.illegalValue);
    return writeWords(terminal, unit, pdu, Array.from({ length: count }, (_, i) => pdu.readUInt16BE(6 + 2 * i)));
  }
  if (fc === 6) {
    // Write single register: one word of the record selector, as a master writing a word at a time does.
    if (pdu.length !== 5) return exceptionPdu(fc, EXCEPTION.illegalValue);
    return writeWords(terminal, unit, pdu, [pdu.readUInt16BE(3)]);
  }
  return exceptionPdu(fc, EXCEPTION.illegalFunction);
}

/**
 * Write `values` from the address in a function 6 or 16 request to the unit's record selector.
 * Both answer with the request's first five bytes: function, address, then the value (6) or
 * the count (16); an exception when the register map refuses the write.
 */
function writeWords(terminal: Terminal, unit: number, pdu: Buffer, values: number[]): Buffer {
  const res = writeHolding(pdu.readUInt16BE(1), values, terminal.selected.get(unit));
  if (typeof res === 'number') return exceptionPdu(pdu[0]!, res);
  terminal.selected.set(unit, res.select);
  return Buffer.from(pdu.subarray(0, 5));
}
