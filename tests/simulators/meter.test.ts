import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Meter, WS_PER_UNIT, zoneOf } from '../../simulators/meter/index.ts';
import { at, meterConfig } from './support.ts';

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Shanghai', 'Australia/Lord_Howe'];
// Starts around DST changes in Europe and the US, and plain days.
const STARTS = ['2024-03-31T00:00:00Z', '2024-10-26T22:00:00Z', '2024-03-10T05:00:00Z', '2024-11-03T04:30:00Z', '2024-06-15T11:07:13Z'].map(at);

const runArb = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 }),
  zone: fc.constantFrom(...ZONES),
  start: fc.constantFrom(...STARTS).chain((s) => fc.integer({ min: 0, max: 86400 }).map((d) => s + d)),
  pvKw: fc.constantFrom(0, 0, 80),
  ticks: fc.array(fc.integer({ min: 1, max: 7200 }), { minLength: 5, maxLength: 40 }),
});

describe('meter model', () => {
  it('tiers sum to the total at every instant (modulo capacity)', () => {
    fc.assert(
      fc.property(runArb, ({ seed, zone, start, pvKw, ticks }) => {
        const m = new Meter(meterConfig({ seed, zone, start, pvKw, capacity: 5_000_00 }));
        let t = start;
        for (const dt of ticks) {
          m.advanceTo((t += dt));
          const r = m.trueRegisters();
          for (let d = 0; d < 4; d++) {
            const tiers = r[d * 5 + 1]! + r[d * 5 + 2]! + r[d * 5 + 3]! + r[d * 5 + 4]!;
            expect((tiers - r[d * 5]!) % 5_000_00).toBe(0);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('registers never decrease except at a declared rollover', () => {
    fc.assert(
      fc.property(runArb, ({ seed, zone, start, pvKw, ticks }) => {
        // A tiny capacity (100.00 kWh) makes rollovers frequent.
        const m = new Meter(meterConfig({ seed, zone, start, pvKw, peakKw: 400, capacity: 100_00 }));
        let prev = m.trueRegisters();
        let t = start;
        for (const dt of ticks) {
          m.advanceTo((t += dt));
          const now = m.trueRegisters();
          const rolled = new Set(m.drainEvents().filter((e) => e.kind === 'rollover').map((e) => e.register));
          now.forEach((v, i) => {
            if (v < prev[i]!) expect(rolled.has(i)).toBe(true);
          });
          prev = now;
        }
      }),
      { numRuns: 60 },
    );
  });

  it('energy over any window equals the integral of power to resolution', () => {
    fc.assert(
      fc.property(runArb, ({ seed, zone, start, pvKw, ticks }) => {
        const cfg = meterConfig({ seed, zone, start, pvKw, peakKw: 120 });
        const m = new Meter(cfg);
        // Independent integral: the instantaneous power the meter shows, held over each model step.
        const step = cfg.load.stepSeconds;
        let integral = [0, 0];
        let t = start;
        const before = m.trueRegisters();
        const end = start + ticks.reduce((a, b) => a + b, 0);
        while (t < end) {
          const next = Math.min(end, (Math.floor(t / step) + 1) * step);
          m.advanceTo(t);
          const p = m.reading().power;
          integral = p >= 0 ? [integral[0]! + p * (next - t), integral[1]!] : [integral[0]!, integral[1]! - p * (next - t)];
          t = next;
        }
        m.advanceTo(end);
        const after = m.trueRegisters();
        for (const [d, ws] of integral.entries()) {
          const delta = (after[d * 5]! - before[d * 5]!) * WS_PER_UNIT;
          expect(Math.abs(delta - ws)).toBeLessThan(WS_PER_UNIT);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('identical seeds give identical runs, however the clock is advanced', () => {
    fc.assert(
      fc.property(runArb, ({ seed, zone, start, pvKw, ticks }) => {
        const a = new Meter(meterConfig({ seed, zone, start, pvKw }));
        const b = new Meter(meterConfig({ seed, zone, start, pvKw }));
        let t = start;
        for (const dt of ticks) a.advanceTo((t += dt));
        b.advanceTo(t);
        expect(a.reading()).toEqual(b.reading());
        expect(a.profile.range(0, t)).toEqual(b.profile.range(0, t));
      }),
      { numRuns: 40 },
    );
  });

  it('different seeds give different runs', () => {
    const start = at('2024-06-01T00:00:00Z');
    const a = new Meter(meterConfig({ seed: 1, start }));
    const b = new Meter(meterConfig({ seed: 2, start }));
    a.advanceTo(start + 86400);
    b.advanceTo(start + 86400);
    expect(a.trueRegisters()).not.toEqual(b.trueRegisters());
  });

  it('counts only the tier in force (valley at night under the default calendar)', () => {
    const start = at('2024-06-03T00:00:00Z'); // a Monday, UTC
    const m = new Meter(meterConfig({ start }));
    m.advanceTo(start + 8 * 3600);
    const r = m.trueRegisters();
    expect(r[4]).toBe(r[0]); // ap_imp.valley carries everything
    expect(r[0]).toBeGreaterThan(0);
    m.advanceTo(start + 9 * 3600); // 08:00–09:00 is flat
    const r2 = m.trueRegisters();
    expect(r2[4]).toBe(r[4]);
    expect(r2[3]! - r[3]!).toBe(r2[0]! - r[0]!);
  });

  it('keeps a load profile at each interval boundary, 23 hours on a spring DST day', () => {
    const zone = zoneOf('Europe/Berlin');
    const day = zone.local(at('2024-03-31T12:00:00Z')).day;
    const from = zone.midnight(day);
    const to = zone.midnight(day + 1);
    expect(to - from).toBe(23 * 3600);
    const m = new Meter(meterConfig({ zone: 'Europe/Berlin', start: from - 3600 }));
    m.advanceTo(to);
    expect(m.profile.range(from, to - 1)).toHaveLength(92);
    const recs = m.profile.range(0, to);
    for (let i = 1; i < recs.length; i++) expect(recs[i]!.time - recs[i - 1]!.time).toBe(900);
  });

  it('limits the profile memory to its depth', () => {
    const start = at('2024-01-01T00:00:00Z');
    const m = new Meter(meterConfig({ start, depth: 96 }));
    m.advanceTo(start + 3 * 86400);
    expect(m.profile.size).toBe(96);
    expect(m.profile.oldest()!.time).toBe(start + 2 * 86400 + 900);
    expect(m.profile.newest()!.time).toBe(start + 3 * 86400);
    expect(m.profile.find(start + 2 * 86400 + 900)!.registers).toHaveLength(20);
    expect(m.profile.find(start + 86400)).toBeUndefined();
  });

  it('shows instantaneous values consistent with its power', () => {
    const start = at('2024-06-01T00:00:00Z');
    const m = new Meter(meterConfig({ start, peakKw: 80, ct: 20 }));
    for (let h = 0; h < 24; h++) {
      m.advanceTo(start + h * 3600 + 123);
      const r = m.reading();
      const s = r.voltage.reduce((a, u, i) => a + (u / 100) * (r.current[i]! / 1000), 0) * (r.powerFactor / 1000);
      expect(Math.abs(s - Math.abs(r.power))).toBeLessThan(Math.abs(r.power) * 0.003 + 2);
    }
  });

  it('records loss of voltage and stops counting while the power is lost', () => {
    const start = at('2024-06-01T00:00:00Z');
    const m = new Meter(meterConfig({ start }));
    m.advanceTo(start + 3600);
    m.setPowerLoss(true);
    const frozen = m.trueRegisters();
    m.advanceTo(start + 3 * 3600);
    expect(m.trueRegisters()).toEqual(frozen);
    expect(m.reading().voltage).toEqual([0, 0, 0]);
    expect(m.reading().lossOfVoltage[0]).toEqual({ count: 1, seconds: 7200, lastStart: start + 3600, lastEnd: 0 });
    m.setPowerLoss(false);
    m.advanceTo(start + 4 * 3600);
    expect(m.reading().lossOfVoltage[2]).toEqual({ count: 1, seconds: 7200, lastStart: start + 3600, lastEnd: start + 3 * 3600 });
    expect(m.drainEvents().map((e) => e.kind)).toEqual(['power-down', 'power-up']);
    expect(m.trueRegisters()[0]).toBeGreaterThan(frozen[0]!);
  });

  it('rolls over after a preset near capacity and keeps tiers summing', () => {
    const start = at('2024-06-01T00:00:00Z');
    const m = new Meter(meterConfig({ start, peakKw: 200 }));
    m.advanceTo(start + 3600);
    m.presetNearCapacity(0, 100);
    expect(m.trueRegisters()[0]).toBe(m.capacity - 100);
    m.advanceTo(start + 5 * 3600);
    const r = m.trueRegisters();
    expect(r[0]).toBeLessThan(1_000_00);
    expect(m.drainEvents().some((e) => e.kind === 'rollover' && e.register === 0)).toBe(true);
    expect((r[1]! + r[2]! + r[3]! + r[4]! - r[0]!) % m.capacity).toBe(0);
  });

  it('freezes a stuck register while counting on underneath', () => {
    const start = at('2024-06-01T00:00:00Z');
    const m = new Meter(meterConfig({ start }));
    m.advanceTo(start + 3600);
    m.setStuck([0], true);
    const shown = m.reading().registers[0];
    m.advanceTo(start + 7200);
    expect(m.reading().registers[0]).toBe(shown);
    expect(m.trueRegisters()[0]).toBeGreaterThan(shown!);
    m.setStuck([0], false);
    expect(m.reading().registers[0]).toBe(m.trueRegisters()[0]);
  });

  it('drifts its clock and stamps profile records with it', () => {
    const start = at('2024-06-01T00:00:00Z');
    const m = new Meter(meterConfig({ start }));
    m.setClock(120, 0);
    expect(m.reading().clock).toBe(start + 120);
    m.setClock(0, 86.4); // 1 ms per second
    m.advanceTo(start + 10_000);
    expect(m.reading().clock).toBe(start + 10_000 + 120 + 10);
    const rec = m.profile.newest()!;
    expect(rec.time % 900).toBe(0);
    expect(rec.time).toBe(start + 9900);
  });

  it('keeps the maximum demand per direction and tier', () => {
    const start = at('2024-06-03T00:00:00Z');
    const m = new Meter(meterConfig({ start, peakKw: 100 }));
    m.advanceTo(start + 86400);
    const d = m.reading().demand;
    expect(d[0]!.value).toBeGreaterThan(50_000);
    expect(d[0]!.value).toBe(Math.max(d[1]!.value, d[2]!.value, d[3]!.value, d[4]!.value));
    expect(d[0]!.time % 900).toBe(0);
  });
});
