/**
 * Serial wire-time benchmark of the simulated RS-485 bus: a master on the other end of a socat
 * pty pair reads the 20 energy registers (40 words) of each of 32 meters in turn at 9600 baud,
 * 8N1-equivalent 11-bit characters. The baseline is the line-rate limit computed from the frame
 * sizes: (8 + 85 bytes + 2 × 3.5 silent characters) × 11 bits / 9600 baud per read.
 *
 *   node --import tsx bench/serial-wire.ts [meters=32] [cycles=3] [baud=9600]
 */
import os from 'node:os';
import { SerialPort } from 'serialport';
import {
  Meter, ModbusRtuSlave, ProfileLoad, TariffCalendar, Terminal, exchangeSeconds, openPtyPair, parseRtuFrame, rtuFrame, zoneOf,
} from '../simulators/index.ts';

const meters = Number(process.argv[2] ?? 32);
const cycles = Number(process.argv[3] ?? 3);
const baud = Number(process.argv[4] ?? 9600);
const start = Date.parse('2026-10-01T00:00:00Z') / 1000;

const terminal = new Terminal('bus-1', start, 900);
for (let u = 1; u <= meters; u++) {
  const zone = zoneOf('UTC');
  terminal.addMeter({
    unit: u, name: `m${u}`,
    meter: new Meter({ serial: `SN-${u}`, seed: u, load: new ProfileLoad({ kind: 'profile', shape: 'commercial', peakKw: 10 + u }, u, zone, 60), tariff: new TariffCalendar(), zone, start }),
  });
}
terminal.advanceTo(start + 3600);

const pair = await openPtyPair();
const slave = new ModbusRtuSlave(terminal, { path: pair.a, baud });
await slave.start();
const port = new SerialPort({ path: pair.b, baudRate: baud, autoOpen: false });
await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));

let buffer = Buffer.alloc(0);
let waiting: ((b: Buffer) => void) | undefined;
port.on('data', (d: Buffer) => {
  buffer = Buffer.concat([buffer, d]);
  if (buffer.length >= 85 && waiting) {
    const w = waiting;
    waiting = undefined;
    const frame = buffer.subarray(0, 85);
    buffer = buffer.subarray(85);
    w(frame);
  }
});
const read40 = (unit: number) =>
  new Promise<Buffer>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`unit ${unit}: no answer within 2 s`)), 2000);
    waiting = (b) => (clearTimeout(t), res(b));
    port.write(rtuFrame(unit, Buffer.from([3, 0, 0, 0, 40])));
  });

const limit = meters * exchangeSeconds(baud, 8, 85);
const times: number[] = [];
for (let c = 0; c < cycles; c++) {
  const t0 = performance.now();
  for (let u = 1; u <= meters; u++) {
    const answer = parseRtuFrame(await read40(u));
    if (!answer || answer.unit !== u || answer.pdu[1] !== 80) throw new Error(`unit ${u}: bad answer`);
  }
  times.push((performance.now() - t0) / 1000);
}
const best = Math.min(...times);
console.log(`machine: ${os.cpus()[0]?.model}, ${os.cpus().length} cores; node ${process.version}`);
console.log(`${meters} meters × 40 registers at ${baud} baud, ${cycles} cycles`);
console.log(`| ${meters} | ${(limit * 1000).toFixed(0)} | ${times.map((t) => (t * 1000).toFixed(0)).join(' / ')} | ${(limit / best).toFixed(3)} |`);
port.close();
await slave.stop();
pair.close();
