import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../simulators/clock/index.ts';
import { injectFault } from '../../simulators/index.ts';
import { hasCommand } from '../../simulators/modbus-rtu/index.ts';
import { ModbusTcpServer } from '../../simulators/modbus-tcp/index.ts';
import type { Terminal, TerminalEvent } from '../../simulators/terminal/index.ts';
import { at, terminalWith, u32 } from './support.ts';
import { mbpoll, read3, tcpExchange, tcpRequest, words, write16 } from './wire.ts';

const run = promisify(execFile);

const start = at('2024-03-30T00:00:00Z');
let terminal: Terminal;
let server: ModbusTcpServer;
let port: number;
const truth: Extract<TerminalEvent, { type: 'interval' }>[] = [];

beforeAll(async () => {
  terminal = terminalWith(3, start);
  terminal.on((e) => e.type === 'interval' && truth.push(e));
  terminal.advanceTo(start + 2 * 86400 + 1234);
  terminal.clock = new ManualClock(terminal.time);
  server = new ModbusTcpServer(terminal);
  port = await server.start();
});
afterAll(() => server.stop());

async function read(unit: number, addr: number, count: number): Promise<Buffer> {
  const ans = await tcpExchange(port, tcpRequest(7, unit, read3(addr, count)));
  expect(ans).toBeDefined();
  expect(ans!.readUInt16BE(0)).toBe(7);
  expect(ans![6]).toBe(unit);
  return ans!.subarray(7);
}

describe('Modbus TCP server', () => {
  it.skipIf(!hasCommand('mbpoll'))('serves the 20 energy registers to mbpoll as the model says', async () => {
    for (const unit of [1, 2, 3]) {
      const w = await mbpoll(['-m', 'tcp', '-a', String(unit), '-r', '1', '-c', '40', '-p', String(port), '127.0.0.1']);
      expect(u32(w)).toEqual(terminal.slot(unit)!.meter.reading().registers);
    }
  });

  it('serves energy, instantaneous values, clock and loss-of-voltage to raw frames', async () => {
    const r = terminal.slot(2)!.meter.reading();
    expect(u32(words(await read(2, 0, 40)))).toEqual(r.registers);
    const inst = words(await read(2, 64, 15));
    expect(u32(inst.slice(0, 12))).toEqual([...r.voltage, ...r.current]);
    expect((inst[12]! << 16) | inst[13]!).toBe(r.power); // int32
    expect(inst[14]).toBe(r.powerFactor);
    expect(u32(words(await read(2, 96, 2)))).toEqual([r.clock]);
    expect(u32(words(await read(2, 192, 24)))).toEqual(r.lossOfVoltage.flatMap((p) => [p.count, p.seconds, p.lastStart, p.lastEnd]));
  });

  it('reads a merged range across gaps (unused addresses read 0)', async () => {
    const w = words(await read(1, 0, 100));
    expect(w.slice(40, 64).every((x) => x === 0)).toBe(true);
    expect(u32(w.slice(0, 40))).toEqual(terminal.slot(1)!.meter.reading().registers);
  });

  it('selects a history record with function 16 at 136 and reads it back at 140', async () => {
    const [oldest, newest, interval] = u32(words(await read(3, 128, 6)));
    expect(interval).toBe(900);
    expect(oldest).toBe(start);
    expect(newest).toBe(start + 2 * 86400 + 900); // the clock stands 1234 s past midnight
    const want = start + 86400 + 13 * 900;
    const ack = await tcpExchange(port, tcpRequest(9, 3, write16(136, want)));
    expect([...ack!.subarray(7)]).toEqual([16, 0, 136, 0, 2]);
    const rec = u32(words(await read(3, 140, 42)));
    expect(rec[0]).toBe(want);
    const gt = truth.find((e) => e.unit === 3 && e.time === want)!;
    expect(rec.slice(1)).toEqual(gt.reading.registers);
    // A time with no record reads time 0.
    await tcpExchange(port, tcpRequest(10, 3, write16(136, want + 1)));
    expect(u32(words(await read(3, 140, 2)))).toEqual([0]);
  });

  it.skipIf(!hasCommand('mbpoll'))('lets mbpoll select a record a word at a time (function 6, one invocation each) and read it back', async () => {
    const want = start + 86400 + 17 * 900;
    // mbpoll counts registers from 1: reference 137 is address 136 (the high word), 138 the low word.
    for (const [ref, word] of [[137, Math.floor(want / 65536)], [138, want % 65536]] as const) {
      await run('mbpoll', ['-m', 'tcp', '-a', '3', '-r', String(ref), '-t', '4', '-p', String(port), '-1', '127.0.0.1', String(word)], { timeout: 20_000 });
    }
    const rec = u32(await mbpoll(['-m', 'tcp', '-a', '3', '-r', '141', '-c', '42', '-p', String(port), '127.0.0.1']));
    expect(rec[0]).toBe(want);
    expect(rec.slice(1)).toEqual(truth.find((e) => e.unit === 3 && e.time === want)!.reading.registers);
  });

  it('answers exceptions for unknown units, bad addresses, counts and functions', async () => {
    expect([...(await read(9, 0, 2))]).toEqual([0x83, 0x0b]);
    expect([...(await read(1, 200, 20))]).toEqual([0x83, 0x02]);
    expect([...(await read(1, 0, 126))]).toEqual([0x83, 0x03]);
    const fc4 = await tcpExchange(port, tcpRequest(1, 1, [4, 0, 0, 0, 2]));
    expect([...fc4!.subarray(7)]).toEqual([0x84, 0x01]);
    const w0 = await tcpExchange(port, tcpRequest(1, 1, write16(0, 5)));
    expect([...w0!.subarray(7)]).toEqual([0x90, 0x02]);
    const w6 = await tcpExchange(port, tcpRequest(1, 1, [6, 0, 0, 0, 5]));
    expect([...w6!.subarray(7)]).toEqual([0x86, 0x02]);
  });

  it('shows wire faults: exception, timeout, slow, corrupt, link down', async () => {
    const good = await tcpExchange(port, tcpRequest(1, 1, read3(0, 40)));
    const step = async (f: Parameters<typeof injectFault>[1]) => {
      injectFault(terminal, { ...f, duration: 1 });
      terminal.advanceTo(terminal.time); // switch on now
    };
    const off = () => {
      terminal.advanceTo(terminal.time + 1);
      (terminal.clock as ManualClock).set(terminal.time);
    };

    await step({ kind: 'exception', code: 6 });
    expect([...(await read(1, 0, 2))]).toEqual([0x83, 0x06]);
    off();

    await step({ kind: 'timeout', units: [2] });
    expect(await tcpExchange(port, tcpRequest(1, 2, read3(0, 2)), 400)).toBeUndefined();
    expect(await tcpExchange(port, tcpRequest(1, 1, read3(0, 2)))).toBeDefined(); // other units answer
    off();

    await step({ kind: 'slow', delayMs: 300 });
    const t0 = performance.now();
    expect(await tcpExchange(port, tcpRequest(1, 1, read3(0, 2)))).toBeDefined();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    off();

    await step({ kind: 'corrupt', mode: 'garble' });
    const bad = await tcpExchange(port, tcpRequest(1, 1, read3(0, 40)));
    expect(bad!.equals(good!)).toBe(false);
    off();

    await step({ kind: 'link-down' });
    await new Promise((r) => setTimeout(r, 50));
    await expect(tcpExchange(port, tcpRequest(1, 1, read3(0, 2)))).rejects.toThrow(/ECONNREFUSED/);
    off();
    await new Promise((r) => setTimeout(r, 50));
    const back = await tcpExchange(port, tcpRequest(1, 1, read3(0, 40)));
    expect(u32(words(back!.subarray(7)))).toEqual(terminal.slot(1)!.meter.reading().registers);
  });
});
