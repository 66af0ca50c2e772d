import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../simulators/clock/index.ts';
import { injectFault } from '../../simulators/index.ts';
import { crc16, exchangeSeconds } from '../../simulators/modbus/index.ts';
import { ModbusRtuSlave, hasCommand, openPtyPair, type PtyPair } from '../../simulators/modbus-rtu/index.ts';
import type { Terminal } from '../../simulators/terminal/index.ts';
import { at, terminalWith, u32 } from './support.ts';
import { SerialClient, mbpoll, read3, rtuRequest, words, write16 } from './wire.ts';

const haveSocat = hasCommand('socat');
const start = at('2024-10-26T12:00:00Z');
let pty: PtyPair;
let terminal: Terminal;
let slave: ModbusRtuSlave;
let client: SerialClient;

const crcOk = (f: Buffer) => f.length >= 4 && crc16(f.subarray(0, f.length - 2)) === f.readUInt16LE(f.length - 2);

describe.skipIf(!haveSocat)('Modbus RTU slave on a socat pty pair', () => {
  beforeAll(async () => {
    pty = await openPtyPair();
    terminal = terminalWith(2, start, 5);
    terminal.advanceTo(start + 86400 + 77);
    terminal.clock = new ManualClock(terminal.time);
    slave = new ModbusRtuSlave(terminal, { path: pty.a, baud: 9600 });
    await slave.start();
    client = await SerialClient.open(pty.b);
  });
  afterAll(async () => {
    await client?.close();
    await slave?.stop();
    await pty?.close();
  });

  it('answers hand-built RTU frames with the model values', async () => {
    for (const unit of [1, 2]) {
      const ans = await client.exchange(rtuRequest(unit, read3(0, 40)), 85);
      expect(ans).toHaveLength(85);
      expect(crcOk(ans)).toBe(true);
      expect(ans[0]).toBe(unit);
      expect(u32(words(ans.subarray(1, 83)))).toEqual(terminal.slot(unit)!.meter.reading().registers);
    }
    const w = await client.exchange(rtuRequest(2, write16(136, start + 86400)), 8);
    expect(crcOk(w)).toBe(true);
    const rec = await client.exchange(rtuRequest(2, read3(140, 42)), 89);
    expect(u32(words(rec.subarray(1, 87)))).toEqual([start + 86400, ...terminal.slot(2)!.meter.profile.find(start + 86400)!.registers]);
  });

  it('stays silent for unknown units and requests with a bad CRC; answers exceptions for bad addresses', async () => {
    expect(await client.exchange(rtuRequest(7, read3(0, 2)), 1, 300)).toHaveLength(0);
    const broken = rtuRequest(1, read3(0, 2));
    broken[broken.length - 1] = broken[broken.length - 1]! ^ 0xff;
    expect(await client.exchange(broken, 1, 300)).toHaveLength(0);
    const ex = await client.exchange(rtuRequest(1, read3(300, 2)), 5);
    expect([...ex.subarray(0, 3)]).toEqual([1, 0x83, 0x02]);
    expect(crcOk(ex)).toBe(true);
  });

  it('shows wire faults: bad CRC, garbled, exception, timeout', async () => {
    const on = (f: Parameters<typeof injectFault>[1]) => {
      injectFault(terminal, { ...f, duration: 1 });
      terminal.advanceTo(terminal.time);
    };
    const off = () => {
      terminal.advanceTo(terminal.time + 1);
      (terminal.clock as ManualClock).set(terminal.time);
    };
    on({ kind: 'corrupt', mode: 'crc' });
    const bad = await client.exchange(rtuRequest(1, read3(0, 40)), 85);
    expect(bad).toHaveLength(85);
    expect(crcOk(bad)).toBe(false);
    off();
    on({ kind: 'corrupt', mode: 'garble' });
    const garbled = await client.exchange(rtuRequest(1, read3(0, 40)), 85);
    expect(crcOk(garbled)).toBe(false);
    off();
    on({ kind: 'exception', code: 4, units: [2] });
    expect([...(await client.exchange(rtuRequest(2, read3(0, 2)), 5)).subarray(0, 3)]).toEqual([2, 0x83, 0x04]);
    off();
    on({ kind: 'timeout' });
    expect(await client.exchange(rtuRequest(1, read3(0, 2)), 1, 400)).toHaveLength(0);
    off();
    on({ kind: 'link-down' });
    expect(await client.exchange(rtuRequest(1, read3(0, 2)), 1, 400)).toHaveLength(0);
    off();
    expect(crcOk(await client.exchange(rtuRequest(1, read3(0, 2)), 9))).toBe(true);
  });

  it('takes the wire time of a 9600 baud line for each exchange', async () => {
    const n = 8;
    const perRead = exchangeSeconds(9600, 8, 85) * 1000; // ≈ 114.6 ms
    expect(perRead).toBeCloseTo(114.58, 1);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) expect(await client.exchange(rtuRequest(1, read3(0, 40)), 85)).toHaveLength(85);
    // The simulator must not be faster than the line (a lower bound only: CI may be slower).
    expect(performance.now() - t0).toBeGreaterThanOrEqual(n * (perRead - 3.5 * 1.146) * 0.98);
  });

  it.skipIf(!hasCommand('mbpoll'))('is read by mbpoll over the pty', async () => {
    await client.close();
    try {
      const w = await mbpoll(['-m', 'rtu', '-b', '9600', '-P', 'none', '-a', '2', '-r', '1', '-c', '40', pty.b]);
      expect(u32(w)).toEqual(terminal.slot(2)!.meter.reading().registers);
    } finally {
      client = await SerialClient.open(pty.b);
    }
  });
});
