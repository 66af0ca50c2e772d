import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { AcquisitionLogStore, DatabaseGaps, DatabaseSink, fromRuns, resultOf, toRuns, type ReadingRow } from '../../collector/index.ts';
import type { ReadingConflict } from '../../schema/index.ts';
import { dbTargets, freshDatabase } from '../support/db.ts';

const T = Date.UTC(2025, 0, 1);
const row = (ts: number, base: number, source: ReadingRow['source'] = 'poll'): ReadingRow => ({ pointId: 'p1', ts: new Date(ts), source, values: Array.from({ length: 20 }, (_, i) => base + i) });

describe('unavailable runs', () => {
  it('compress interval ends into runs and back', () => {
    const step = 900_000;
    const times = [T, T + step, T + 2 * step, T + 5 * step, T + 2 * step];
    expect(toRuns(times, step)).toEqual([[T, T + 2 * step], [T + 5 * step, T + 5 * step]]);
    expect(fromRuns(toRuns(times, step), step)).toEqual([T, T + step, T + 2 * step, T + 5 * step]);
  });

  it('map acquisition results', () => {
    expect(resultOf({ ok: true })).toBe('ok');
    expect(resultOf({ ok: false, errorKind: 'frame' })).toBe('bad-frame');
    expect(resultOf({ ok: false, errorKind: 'conflict' })).toBe('rejected');
    expect(resultOf({ ok: false, errorKind: 'invalid-payload' })).toBe('rejected');
    expect(resultOf({ ok: false, errorKind: 'timeout' })).toBe('timeout');
    expect(resultOf({ ok: false, errorKind: 'connection' })).toBe('error');
  });
});

describe.each(dbTargets())('collector store on $name PostgreSQL', (target) => {
  it('writes idempotently, refuses conflicting values without overwriting them, refuses malformed rows', async () => {
    const h = await freshDatabase(target);
    try {
      const conflicts: ReadingConflict[] = [];
      const refused: string[] = [];
      const sink = new DatabaseSink(h, { onConflict: (c) => conflicts.push(...c), onRefused: (_r, why) => refused.push(why) });
      await sink.write([row(T, 100), row(T + 900_000, 200, 'backfill')]);
      await sink.write([row(T, 100, 'backfill')]); // a spool replay or a backfill of a polled interval
      expect(sink.stats).toMatchObject({ written: 2, unchanged: 1, conflicts: 0 });
      await sink.write([row(T, 101, 'push')]);
      expect(conflicts).toHaveLength(20);
      expect(conflicts[0]).toMatchObject({ pointId: 'p1', register: 'ap_imp.total', stored: 100, incoming: 101 });
      const stored = await sql<{ ap_imp_total: string; source: string }>`SELECT ap_imp_total, source FROM reading WHERE ts = ${new Date(T)}`.execute(h.db);
      expect(stored.rows).toEqual([{ ap_imp_total: '100', source: 'poll' }]);
      await sink.write([{ ...row(T + 1_800_000, 1), values: [1, 2, 3] }]);
      expect(refused[0]).toMatch(/point p1 refused: 3 registers, expected 20/);
      expect(sink.stats.refused).toBe(1);
    } finally {
      await h.close();
    }
  });

  it('stores instantaneous values in the register map units, loss-of-voltage records as the meter moves them on, and events once', async () => {
    const h = await freshDatabase(target);
    try {
      const sink = new DatabaseSink(h);
      const instant = { ua: 230.12, ub: 229.9, uc: 0, ia: 5.1, ib: 5.25, ic: 0.001, p: -5000, pf: -0.95 };
      await sink.write([{ ...row(T, 100), instant }]);
      await sink.write([{ ...row(T, 100), instant: { ...instant, ua: 1 } }]); // a replay: the first value stays
      const iv = await sql`SELECT ua::int, ub::int, uc::int, ia::int, ib::int, ic::int, p_total::int, pf, source FROM instant_value`.execute(h.db);
      expect(iv.rows).toEqual([{ ua: 23012, ub: 22990, uc: 0, ia: 5100, ib: 5250, ic: 1, p_total: -5000, pf: -950, source: 'poll' }]);
      // A float read with the wrong word order (4.5e27 V) and a power factor beyond any column: unknown, and the readings still land.
      await sink.write([{ ...row(T + 900_000, 200), instant: { ua: 4.5e27, pf: 3e9, ia: 1 } }]);
      const odd = await sql`SELECT ua, pf, ia::int FROM instant_value WHERE ts = ${new Date(T + 900_000)}`.execute(h.db);
      expect(odd.rows).toEqual([{ ua: null, pf: null, ia: 1000 }]);
      expect(sink.stats.written).toBe(2);

      const start = new Date(T - 3_600_000);
      await sink.voltageLoss([{ pointId: 'p1', phase: 'B', startedAt: start, endedAt: null, cumulativeSeconds: 600, count: 3 }]);
      await sink.voltageLoss([{ pointId: 'p1', phase: 'B', startedAt: start, endedAt: new Date(T), cumulativeSeconds: 4200, count: 3 }]);
      const vl = await sql`SELECT phase, started_at, ended_at, cumulative_seconds::int AS s, loss_count FROM voltage_loss`.execute(h.db);
      expect(vl.rows).toEqual([{ phase: 'B', started_at: start, ended_at: new Date(T), s: 4200, loss_count: 3 }]);

      const e = { terminalId: 'gw', ts: new Date(T), kind: 'tamper', unitId: 2, detail: { cover: 'open' } };
      await sink.events([e]);
      await sink.events([e, { ...e, unitId: 3 }]); // the repeat is a no-op; unit 3 in the same second is an event of its own
      const ev = await sql`SELECT terminal_id, kind, unit_id, detail FROM terminal_event ORDER BY unit_id`.execute(h.db);
      expect(ev.rows).toEqual([{ terminal_id: 'gw', kind: 'tamper', unit_id: 2, detail: { cover: 'open' } }, { terminal_id: 'gw', kind: 'tamper', unit_id: 3, detail: { cover: 'open' } }]);
    } finally {
      await h.close();
    }
  });

  it('logs acquisitions in batches and answers the backfill gap questions', async () => {
    const h = await freshDatabase(target);
    try {
      await sql`INSERT INTO substation (id, name) VALUES ('s', 's')`.execute(h.db);
      await sql`INSERT INTO terminal (id, substation_id, name, transport, address, memory_days) VALUES ('gw', 's', 'gw', 'modbus-tcp', 'x', 7)`.execute(h.db);
      await sql`INSERT INTO metering_point (id, substation_id, name, time_zone) VALUES ('p1', 's', 'p1', 'UTC'), ('p2', 's', 'p2', 'UTC')`.execute(h.db);
      const sink = new DatabaseSink(h);
      await sink.write([row(T, 1), row(T + 2 * 900_000, 3)]);
      const log = new AcquisitionLogStore(h, { flushMs: 10 });
      log.record({ at: new Date(), terminal: 'gw', unitId: 1, point: 'p1', action: 'poll', ok: false, durationMs: 12.4, error: 'bad frame (crc)', errorKind: 'frame' });
      log.record({ at: new Date(), terminal: 'gw', unitId: 1, point: 'p1', action: 'backfill', ok: false, durationMs: 0, errorKind: 'unavailable', error: 'gone', data: { runs: [[T - 900_000, T - 900_000]], stepSeconds: 900 } });
      await log.close();
      expect(log.stats).toEqual({ written: 2, dropped: 0, failures: 0 });
      const rows = await sql<{ result: string; duration_ms: number; detail: Record<string, unknown> }>`SELECT result, duration_ms, detail FROM acquisition_log ORDER BY result`.execute(h.db);
      expect(rows.rows[0]).toMatchObject({ result: 'bad-frame', duration_ms: 12, detail: { point: 'p1', errorKind: 'frame' } });

      const gaps = new DatabaseGaps(h);
      expect(await gaps.missing(['p1'], new Date(T), new Date(T + 3 * 900_000))).toEqual([
        { pointId: 'p1', first: new Date(T + 900_000), last: new Date(T + 900_000), count: 1 },
        { pointId: 'p1', first: new Date(T + 3 * 900_000), last: new Date(T + 3 * 900_000), count: 1 },
      ]);
      expect(await gaps.firstKnown(['p1', 'p2'])).toEqual(new Map([['p1', new Date(T)]]));
      expect(await gaps.memoryDays('gw')).toBe(7);
      expect(await gaps.memoryDays('nope')).toBeUndefined();
      expect(await gaps.reportedUnavailable(['p1'])).toEqual(new Map([['p1', new Set([T - 900_000])]]));
    } finally {
      await h.close();
    }
  });
});
