/**
 * A hand-written Modbus RTU slave on one end of a pty pair, serving sim-terminal-v1 images and
 * injecting faults on demand. It counts requests that arrive while it still owes an answer.
 */
import { SerialPort } from 'serialport';
import { crcValid, withCrc, encodeWords } from '../../../collector/index.ts';
import { simWord, simWrite, type SimUnit } from './sim-image.ts';

export type Fault = 'crc' | 'silent' | 'short' | 'wrong-unit' | 'exception' | 'noise-after';

export class RtuResponder {
  readonly port: SerialPort;
  faults: Fault[] = [];
  overlaps = 0;
  requests = 0;
  private owing = false;
  private buf = Buffer.alloc(0);

  constructor(path: string, readonly units: Map<number, SimUnit>, readonly answerDelayMs = 3) {
    this.port = new SerialPort({ path, baudRate: 9600, parity: 'even' });
    this.port.on('data', (d: Buffer) => this.onData(d));
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      if (this.buf.length < 8) return;
      const fn = this.buf[1]!;
      const len = fn === 16 ? (this.buf.length < 7 ? Infinity : 9 + this.buf[6]!) : 8;
      if (this.buf.length < len) return;
      const frame = this.buf.subarray(0, len);
      this.buf = this.buf.subarray(len);
      this.handle(Buffer.from(frame));
    }
  }

  private handle(frame: Buffer): void {
    this.requests++;
    if (this.owing) this.overlaps++;
    if (!crcValid(frame)) return; // a slave ignores frames with a bad CRC
    const unitId = frame[0]!;
    const u = this.units.get(unitId);
    if (!u) return; // nobody at that address
    const fn = frame[1]!;
    const address = frame.readUInt16BE(2);
    const count = frame.readUInt16BE(4);
    let pdu: Buffer;
    const fault = this.faults.shift();
    if (fn === 3 || fn === 4) {
      const words: number[] = [];
      for (let i = 0; i < count; i++) words.push(simWord(u, address + i) ?? -1);
      if (words.includes(-1) || fault === 'exception') pdu = Buffer.from([fn | 0x80, 2]);
      else pdu = Buffer.concat([Buffer.from([fn, count * 2]), Buffer.from(words.flatMap((w) => [w >> 8, w & 0xff]))]);
    } else if (fn === 16) {
      const values: number[] = [];
      for (let i = 0; i < count; i++) values.push(frame.readUInt16BE(7 + i * 2));
      pdu = simWrite(u, address, values) ? frame.subarray(1, 6) : Buffer.from([0x90, 2]);
    } else pdu = Buffer.from([fn | 0x80, 1]);
    let answer = withCrc(Buffer.concat([Buffer.from([fault === 'wrong-unit' ? unitId + 1 : unitId]), pdu]));
    if (fault === 'crc') answer[answer.length - 1]! ^= 0x5a;
    if (fault === 'short') answer = answer.subarray(0, answer.length - 3);
    if (fault === 'silent') return;
    this.owing = true;
    setTimeout(() => {
      this.port.write(answer);
      if (fault === 'noise-after') this.port.write(Buffer.from(encodeWords(0xdead, 'uint16')));
      this.port.drain(() => (this.owing = false));
    }, this.answerDelayMs);
  }

  close(): Promise<void> {
    return new Promise((r) => (this.port.isOpen ? this.port.close(() => r()) : r()));
  }
}
