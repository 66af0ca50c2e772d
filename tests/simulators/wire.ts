/** Independent Modbus clients for the tests: raw frames over a socket or a serial device, and mbpoll. */
import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { SerialPort } from 'serialport';
import { crc16 } from '../../simulators/modbus/crc.ts';

const run = promisify(execFile);

/** A hand-built Modbus TCP request. */
export function tcpRequest(transaction: number, unit: number, pdu: number[]): Buffer {
  const b = Buffer.alloc(7 + pdu.length);
  b.writeUInt16BE(transaction, 0);
  b.writeUInt16BE(0, 2);
  b.writeUInt16BE(pdu.length + 1, 4);
  b[6] = unit;
  Buffer.from(pdu).copy(b, 7);
  return b;
}

/** A hand-built RTU request with CRC16/MODBUS, low byte first. */
export function rtuRequest(unit: number, pdu: number[]): Buffer {
  const body = Buffer.from([unit, ...pdu]);
  const crc = crc16(body);
  return Buffer.concat([body, Buffer.from([crc & 0xff, crc >> 8])]);
}

/** PDU of function 3. */
export const read3 = (addr: number, count: number): number[] => [3, addr >> 8, addr & 0xff, count >> 8, count & 0xff];

/** PDU of function 16 writing 32-bit `value` at `addr`. */
export const write16 = (addr: number, value: number): number[] => [16, addr >> 8, addr & 0xff, 0, 2, 4, (value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];

/** Send one TCP frame and collect the answer (undefined when none arrives within `waitMs`). */
export function tcpExchange(port: number, frame: Buffer, waitMs = 1500): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const done = (v: Buffer | undefined) => {
      clearTimeout(timer);
      s.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(buf.length ? buf : undefined), waitMs);
    s.on('connect', () => s.write(frame));
    s.on('data', (c) => {
      buf = Buffer.concat([buf, c]);
      if (buf.length >= 6 && buf.length >= 6 + buf.readUInt16BE(4)) done(buf);
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** Words of a function-3 answer PDU (after MBAP or unit id). */
export function words(pdu: Buffer): number[] {
  const n = pdu[1]! / 2;
  return Array.from({ length: n }, (_, i) => pdu.readUInt16BE(2 + 2 * i));
}

/** Read registers with mbpoll (1-based reference = address + 1); returns the 16-bit words. */
export async function mbpoll(args: string[]): Promise<number[]> {
  const { stdout } = await run('mbpoll', [...args, '-t', '4:hex', '-1'], { timeout: 20_000 });
  return [...stdout.matchAll(/^\[\d+\]:\s+0x([0-9A-F]{4})/gim)].map((m) => parseInt(m[1]!, 16));
}

/** An open serial device playing the collector's end of the pty. */
export class SerialClient {
  private buf = Buffer.alloc(0);
  private constructor(private readonly port: SerialPort) {
    port.on('data', (c: Buffer) => (this.buf = Buffer.concat([this.buf, c])));
  }

  static async open(path: string, baudRate = 9600): Promise<SerialClient> {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
    return new SerialClient(port);
  }

  /** Write a frame and collect bytes until `expect` arrived or `waitMs` passed. */
  async exchange(frame: Buffer, expect: number, waitMs = 2000): Promise<Buffer> {
    this.buf = Buffer.alloc(0);
    this.port.write(frame);
    const until = Date.now() + waitMs;
    while (this.buf.length < expect && Date.now() < until) await new Promise((r) => setTimeout(r, 2));
    return this.buf;
  }

  close(): Promise<void> {
    return new Promise((res) => this.port.close(() => res()));
  }
}
