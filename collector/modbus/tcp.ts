/**
 * Modbus TCP framing: the MBAP header (transaction id, protocol id 0, length, unit id) and a
 * stream splitter that cuts received bytes into application data units.
 */

/** Length of the MBAP header including the unit id byte. */
export const MBAP_LENGTH = 7;

/** A complete Modbus TCP ADU: MBAP header followed by the PDU. */
export function tcpFrame(transactionId: number, unitId: number, pdu: Uint8Array): Buffer {
  const out = Buffer.alloc(MBAP_LENGTH + pdu.length);
  out.writeUInt16BE(transactionId & 0xffff, 0);
  out.writeUInt16BE(0, 2);
  out.writeUInt16BE(pdu.length + 1, 4);
  out.writeUInt8(unitId, 6);
  out.set(pdu, MBAP_LENGTH);
  return out;
}

/** One ADU cut from the stream. */
export interface TcpAdu {
  /** Transaction id from the MBAP header. */
  transactionId: number;
  /** Unit id from the MBAP header. */
  unitId: number;
  /** The PDU that followed the header. */
  pdu: Buffer;
}

/**
 * Cuts a TCP byte stream into ADUs. A header with a protocol id other than 0 or an impossible
 * length means the stream is out of step: `push` then throws and the connection must be reset.
 */
export class TcpAduSplitter {
  private buf: Buffer = Buffer.alloc(0);

  /** Add received bytes and return every ADU they complete. */
  push(chunk: Buffer): TcpAdu[] {
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    const out: TcpAdu[] = [];
    while (this.buf.length >= MBAP_LENGTH) {
      const protocol = this.buf.readUInt16BE(2);
      const length = this.buf.readUInt16BE(4);
      if (protocol !== 0 || length < 2 || length > 254) {
        const head = this.buf.subarray(0, MBAP_LENGTH).toString('hex');
        this.buf = Buffer.alloc(0);
        throw new Error(`Modbus TCP stream out of step (protocol ${protocol}, length ${length}, header ${head})`);
      }
      const total = 6 + length;
      if (this.buf.length < total) break;
      out.push({
        transactionId: this.buf.readUInt16BE(0),
        unitId: this.buf.readUInt8(6),
        pdu: Buffer.from(this.buf.subarray(MBAP_LENGTH, total)),
      });
      this.buf = this.buf.subarray(total);
    }
    return out;
  }
}
