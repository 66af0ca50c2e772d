/**
 * Meter faults as a collector sees them on the wire: a faulted terminal and a fault-free twin
 * (same seeds) are both served on Modbus TCP and read with hand-built frames; the difference
 * between them is exactly the declared fault.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ModbusTcpServer, injectFault, type Terminal } from '../../simulators/index.ts';
import { at, terminalWith, u32 } from './support.ts';
import { read3, tcpExchange, tcpRequest, words } from './wire.ts';

const start = at('2026-06-01T00:00:00Z');
const servers: ModbusTcpServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function serve(t: Terminal): Promise<(unit: number, addr: number, count: number) => Promise<number[]>> {
  const srv = new ModbusTcpServer(t, { port: 0 });
  servers.push(srv);
  const port = await srv.start();
  let tx = 1;
  return async (unit, addr, count) => {
    const answer = await tcpExchange(port, tcpRequest(tx++, unit, read3(addr, count)));
    if (!answer || answer[7] !== 3) throw new Error(`unit ${unit} address ${addr}: no function-3 answer`);
    return u32(words(answer.subarray(7)));
  };
}

/** A faulted terminal and its twin, both advanced to `until`, each with a reader. */
async function pair(fault: Parameters<typeof injectFault>[1], until: number) {
  const faulted = terminalWith(2, start, 7);
  const twin = terminalWith(2, start, 7);
  faulted.advanceTo(start + 3600);
  twin.advanceTo(start + 3600);
  injectFault(faulted, fault);
  faulted.advanceTo(until);
  twin.advanceTo(until);
  return { faulted: await serve(faulted), twin: await serve(twin) };
}

describe('meter faults on the wire', () => {
  it('stuck: the declared registers stand still while the others count on', async () => {
    const { faulted, twin } = await pair({ kind: 'stuck', unit: 1, registers: [0, 2] }, start + 4 * 3600);
    const f = await faulted(1, 0, 40), t = await twin(1, 0, 40);
    const atFault = await (await pair({ kind: 'stuck', unit: 1, registers: [0, 2] }, start + 3600)).twin(1, 0, 40);
    expect(f[0]).toBe(atFault[0]);
    expect(f[2]).toBe(atFault[2]);
    expect(t[0]).toBeGreaterThan(atFault[0]!);
    expect(f[1]! + f[3]! + f[4]!).toBeGreaterThan(atFault[1]! + atFault[3]! + atFault[4]!);
    expect(await faulted(2, 0, 40)).toEqual(await twin(2, 0, 40));
  });

  it('spike: energy while it lasts is the factor times the twin’s', async () => {
    const before = await (await pair({ kind: 'spike', unit: 1, factor: 10, duration: 900 }, start + 3600)).twin(1, 0, 2);
    const { faulted, twin } = await pair({ kind: 'spike', unit: 1, factor: 10, duration: 900 }, start + 3600 + 900);
    const f = (await faulted(1, 0, 2))[0]! - before[0]!;
    const t = (await twin(1, 0, 2))[0]! - before[0]!;
    expect(t).toBeGreaterThan(0);
    expect(Math.abs(f - 10 * t)).toBeLessThanOrEqual(10);
  });

  it('ct-change: the secondary register counts at old/new ratio of the twin', async () => {
    const before = await (await pair({ kind: 'ct-change', unit: 1, ct: 2 }, start + 3600)).twin(1, 0, 2);
    const { faulted, twin } = await pair({ kind: 'ct-change', unit: 1, ct: 2 }, start + 3 * 3600);
    const f = (await faulted(1, 0, 2))[0]! - before[0]!;
    const t = (await twin(1, 0, 2))[0]! - before[0]!;
    expect(Math.abs(f * 2 - t)).toBeLessThanOrEqual(2);
  });

  it('clock-drift: the meter clock at 96 is off by the declared offset', async () => {
    const { faulted, twin } = await pair({ kind: 'clock-drift', unit: 2, offsetSeconds: 300 }, start + 7200);
    expect((await faulted(2, 96, 2))[0]! - (await twin(2, 96, 2))[0]!).toBe(300);
    expect((await twin(2, 96, 2))[0]).toBe(start + 7200);
  });

  it('power-loss: no energy counts and the loss-of-voltage count rises', async () => {
    const base = await (await pair({ kind: 'power-loss', unit: 1, duration: 1800 }, start + 3600)).twin(1, 0, 2);
    const { faulted } = await pair({ kind: 'power-loss', unit: 1, duration: 1800 }, start + 3600 + 1800);
    expect((await faulted(1, 0, 2))[0]).toBe(base[0]);
    const lov = await faulted(1, 192, 24);
    expect(lov[0]).toBeGreaterThanOrEqual(1);
  });

  it('phase-loss: the loss-of-voltage record of that phase counts it, the others do not', async () => {
    const { faulted, twin } = await pair({ kind: 'phase-loss', unit: 2, phase: 1, duration: 1800 }, start + 3600 + 3600);
    // Per phase A, B, C: count, cumulative seconds, last start, last end (uint32 each) from 192.
    const f = await faulted(2, 192, 24), t = await twin(2, 192, 24);
    expect(f[4]! - t[4]!).toBe(1);
    expect(f[5]! - t[5]!).toBe(1800);
    expect([f[0], f[8]]).toEqual([t[0], t[8]]);
  });

  it('replace: the registers start again from the new meter’s initial reading', async () => {
    const initial = Array.from({ length: 20 }, (_, i) => (i % 5 === 0 ? 1250 : 0));
    const { faulted } = await pair({ kind: 'replace', unit: 1, serial: 'NEW-1', initial }, start + 3600);
    expect((await faulted(1, 0, 40))[0]).toBe(1250);
  });

  it('rollover: a register preset just below capacity wraps past zero, losing no energy', async () => {
    const atFault = (await (await pair({ kind: 'rollover', unit: 1, marginUnits: 100 }, start + 3600)).twin(1, 0, 2))[0]!;
    const { faulted, twin } = await pair({ kind: 'rollover', unit: 1, marginUnits: 100 }, start + 4 * 3600);
    const energy = (await twin(1, 0, 2))[0]! - atFault;
    expect(energy).toBeGreaterThan(100);
    // Preset to capacity − 100 steps, then `energy` more: the register reads energy − 100.
    expect((await faulted(1, 0, 2))[0]).toBe(energy - 100);
  });
});
