import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AcquisitionScheduler,
  CircuitBreaker,
  CircuitOpenError,
  JobTimeoutError,
  ModbusExceptionError,
  TimeoutError,
  backoffDelay,
  nextAlignedTime,
} from '../../collector/index.ts';

const ctx = (terminal: string) => ({ terminal, unitId: 1, fn: 3, address: 0, count: 1 });
const fast = { backoff: { baseMs: 1, maxMs: 2 } };

describe('scheduler', () => {
  it('runs on-demand before backfill before routine on one bus', async () => {
    const s = new AcquisitionScheduler(fast);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const order: string[] = [];
    const blocker = s.submit({ queue: 'bus1', terminal: 't1', priority: 'routine', run: () => gate });
    const jobs = (['routine', 'backfill', 'onDemand', 'routine', 'onDemand'] as const).map((p, i) =>
      s.submit({ queue: 'bus1', terminal: 't1', priority: p, run: async () => void order.push(`${p}${i}`) }),
    );
    release();
    await Promise.all([blocker, ...jobs]);
    expect(order).toEqual(['onDemand2', 'onDemand4', 'backfill1', 'routine0', 'routine3']);
    await s.stop();
  });

  it('retries link failures with back-off and does not retry Modbus exceptions', async () => {
    const s = new AcquisitionScheduler({ ...fast, retries: 2 });
    let n = 0;
    const v = await s.submit({
      queue: 'gw',
      terminal: 't1',
      priority: 'routine',
      run: async () => {
        if (++n < 3) throw new TimeoutError(ctx('t1'), 100);
        return 'ok';
      },
    });
    expect([v, n]).toEqual(['ok', 3]);
    let m = 0;
    const e = await s
      .submit({
        queue: 'gw',
        terminal: 't1',
        priority: 'routine',
        run: async () => {
          m++;
          throw new ModbusExceptionError(ctx('t1'), 2);
        },
      })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ModbusExceptionError);
    expect(m).toBe(1);
    await s.stop();
  });

  it('times out an attempt and aborts its signal', async () => {
    const s = new AcquisitionScheduler({ ...fast, retries: 0 });
    let aborted = false;
    const e = await s
      .submit({
        queue: 'gw',
        terminal: 't9',
        priority: 'routine',
        timeoutMs: 50,
        label: 'poll unit 1',
        run: (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => ((aborted = true), reject(signal.reason)))),
      })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(JobTimeoutError);
    expect((e as Error).message).toMatch(/terminal t9: poll unit 1/);
    expect(aborted).toBe(true);
    await s.stop();
  });

  it('opens the breaker of a dead terminal so it stops costing the bus, then probes it', async () => {
    let now = 0;
    const s = new AcquisitionScheduler({ ...fast, retries: 0, breaker: { failureThreshold: 3, cooldownMs: 1000, now: () => now } });
    let deadCalls = 0;
    const dead = () =>
      s.submit({ queue: 'bus1', terminal: 'dead', priority: 'routine', run: async () => (deadCalls++, Promise.reject(new TimeoutError(ctx('dead'), 1000))) });
    const alive = () => s.submit({ queue: 'bus1', terminal: 'alive', priority: 'routine', run: async () => 'fine' });
    for (let i = 0; i < 3; i++) await dead().catch(() => undefined);
    expect(s.breaker('dead').state).toBe('open');
    const results = await Promise.allSettled([dead(), alive(), dead(), alive()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(CircuitOpenError);
    expect(deadCalls).toBe(3); // no request reached the dead terminal while open
    now += 1000; // cool-down over: one probe
    await dead().catch(() => undefined);
    expect(deadCalls).toBe(4);
    expect(s.breaker('dead').state).toBe('open'); // probe failed, cool-down doubled
    now += 1000;
    expect(s.breaker('dead').state).toBe('open');
    now += 1000;
    await s.submit({ queue: 'bus1', terminal: 'dead', priority: 'onDemand', run: async () => 'back' });
    expect(s.breaker('dead').state).toBe('closed');
    await s.stop();
  });

  it('breaker: only one probe at a time when half-open', () => {
    let now = 0;
    const b = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 10, now: () => now });
    b.failure();
    expect(b.tryAcquire()).toBe(false);
    now = 10;
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false);
    b.success();
    expect(b.tryAcquire()).toBe(true);
  });

  it('back-off grows and stays capped', () => {
    expect(backoffDelay(1, { baseMs: 100, random: () => 0 })).toBe(50);
    expect(backoffDelay(3, { baseMs: 100, random: () => 0.999999 })).toBeCloseTo(400, 1);
    expect(backoffDelay(30, { baseMs: 100, maxMs: 5000, random: () => 1 })).toBe(5000);
  });
});

describe('aligned collection times', () => {
  it('fires at interval boundaries plus the offset, strictly after now', () => {
    const q = 900_000;
    expect(new Date(nextAlignedTime(Date.parse('2025-01-01T00:07:00Z'), q, 10_000)).toISOString()).toBe('2025-01-01T00:15:10.000Z');
    expect(new Date(nextAlignedTime(Date.parse('2025-01-01T00:15:10Z'), q, 10_000)).toISOString()).toBe('2025-01-01T00:30:10.000Z');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4e12 }), fc.integer({ min: 1, max: 86_400_000 }), fc.nat(), (now, interval, off) => {
        const offset = off % interval;
        const t = nextAlignedTime(now, interval, offset);
        expect(t).toBeGreaterThan(now);
        expect(t - interval).toBeLessThanOrEqual(now);
        expect((((t - offset) % interval) + interval) % interval).toBe(0);
      }),
    );
  });
});
