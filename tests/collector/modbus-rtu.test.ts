import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  FrameError,
  ModbusExceptionError,
  ModbusRtuBus,
  TimeoutError,
  interFrameSilenceMs,
  readHistory,
  readMeter,
  simTerminalV1,
} from '../../collector/index.ts';
import { ptyPair, type PtyPair } from './support/pty.ts';
import { RtuResponder } from './support/rtu-responder.ts';
import { simUnit, type SimUnit } from './support/sim-image.ts';

const T0 = 1_735_689_600;
let pty: PtyPair;
let responder: RtuResponder;
const units = new Map<number, SimUnit>([
  [1, simUnit(1, [T0, T0 + 900])],
  [2, simUnit(2)],
  [5, simUnit(5)],
]);

beforeAll(async () => {
  pty = await ptyPair();
  responder = new RtuResponder(pty.b, units);
});
afterAll(async () => {
  await responder.close();
  pty.close();
});

describe('Modbus RTU over a socat pty pair', () => {
  it('computes the spec silence: 3.5 × 11 bits at 9600 baud, 1.75 ms above 19200', () => {
    expect(interFrameSilenceMs(9600)).toBeCloseTo((3.5 * 11 * 1000) / 9600, 9);
    expect(interFrameSilenceMs(38400)).toBe(1.75);
  });

  it('reads several meters on one bus, one request at a time, from two terminals at once', async () => {
    const bus = new ModbusRtuBus({ path: pty.a, baudRate: 9600, parity: 'even', timeoutMs: 500 });
    const tA = bus.terminal('bus1-a');
    const tB = bus.terminal('bus1-b');
    const before = responder.requests;
    const readings = await Promise.all([
      readMeter(tA, simTerminalV1, 1, { maxGap: 0 }),
      readMeter(tB, simTerminalV1, 2, { maxGap: 0 }),
      readMeter(tA, simTerminalV1, 5, { maxGap: 0 }),
      readMeter(tB, simTerminalV1, 1, { maxGap: 0 }),
    ]);
    expect(readings.map((r) => r.values[0])).toEqual([1, 2, 5, 1].map((u) => units.get(u)!.registers[0]));
    expect(readings[1]!.instant.pf).toBe(0.95);
    expect(responder.requests - before).toBe(12); // 3 requests per meter with maxGap 0
    expect(responder.overlaps).toBe(0);
    await tA.close();
    await tB.close();
  });

  it('types every bad answer, names terminal/unit/register, and keeps the bus in step', async () => {
    const bus = new ModbusRtuBus({ path: pty.a, timeoutMs: 300 });
    const t = bus.terminal('bus1');
    const attempt = (): Promise<unknown> => t.readHolding(2, 0, 4).then((w) => [...w], (e: unknown) => e);

    responder.faults.push('crc');
    const crc = await attempt();
    expect(crc).toBeInstanceOf(FrameError);
    expect((crc as FrameError).fault).toBe('crc');
    expect((crc as Error).message).toMatch(/terminal bus1 unit 2 register 0/);

    responder.faults.push('wrong-unit');
    expect(((await attempt()) as FrameError).fault).toBe('mismatch');

    responder.faults.push('short');
    const short = await attempt();
    expect(short).toBeInstanceOf(FrameError);
    expect((short as FrameError).fault).toBe('short');

    responder.faults.push('silent');
    expect(await attempt()).toBeInstanceOf(TimeoutError);

    responder.faults.push('exception');
    const exc = await attempt();
    expect(exc).toBeInstanceOf(ModbusExceptionError);
    expect((exc as Error).message).toContain('illegal data address');

    responder.faults.push('noise-after');
    const expected = [...(await t.readHolding(2, 0, 4))];
    // The stray bytes after that answer are never taken for the next one.
    expect(await attempt()).toEqual(expected);
    expect(t.stats).toMatchObject({ badFrames: 3, timeouts: 1, exceptions: 1 });
    expect(responder.overlaps).toBe(0);
    await t.close();
  });

  it('reads the load profile over RTU', async () => {
    const bus = new ModbusRtuBus({ path: pty.a, timeoutMs: 500 });
    const t = bus.terminal('bus1');
    const span = await readHistory(t, 1, simTerminalV1.loadProfile!, [new Date(T0 * 1000), new Date((T0 + 900) * 1000), new Date((T0 + 1800) * 1000)]);
    expect(span.records.map((r) => r.values[0])).toEqual([units.get(1)!.records.get(T0)![0], units.get(1)!.records.get(T0 + 900)![0]]);
    expect(span.unavailable).toEqual([new Date((T0 + 1800) * 1000)]);
    await t.close();
  });

  it('answers mbpoll, an independent master, with frames it accepts', async () => {
    // mbpoll reads 4 holding registers (reference 1 = address 0) of unit 5 through the pty.
    const { stdout } = await promisify(execFile)('mbpoll', ['-m', 'rtu', '-a', '5', '-b', '9600', '-P', 'even', '-t', '4', '-r', '1', '-c', '4', '-1', '-o', '1', pty.a]);
    const words = [...stdout.matchAll(/\[(\d+)\]:\s+(-?\d+)/g)].map((m) => Number(m[2]) & 0xffff);
    const v = units.get(5)!.registers;
    expect(words).toEqual([v[0]! >>> 16, v[0]! & 0xffff, v[1]! >>> 16, v[1]! & 0xffff]);
  });
});
