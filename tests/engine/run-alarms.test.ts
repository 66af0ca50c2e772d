/**
 * Property (fast-check): run alarms after any sequence of partial recomputations are the alarms
 * a recomputation from scratch finds. A timeline of flagged intervals changes inside a window;
 * the window alone is recomputed (its runs clipped to it, as the kernel sees them) and the
 * changes are applied to the open alarms as the store does. Acknowledged alarms keep their id.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reconcileAlarms, RUN_DETAIL, type AlarmCandidate, type AlarmScope, type OpenAlarm } from '../../calc-engine/index.ts';

const STEP = 900_000;
const N = 160; // intervals: runs of more than 96 are critical

/** Missing-data candidates of the flagged intervals in [a, b): one per maximal run inside. */
function runs(flags: readonly boolean[], a = 0, b = flags.length): AlarmCandidate[] {
  const out: AlarmCandidate[] = [];
  for (let j = a; j < b; j++) {
    if (!flags[j] || (j > a && flags[j - 1])) continue;
    let k = j;
    while (k < b && flags[k]) k++;
    out.push({
      rule: 'missing-data', objectKind: 'point', objectId: 'G', periodStart: j * STEP, periodEnd: k * STEP,
      observed: k - j, limit: 0, severity: k - j > 96 ? 'critical' : 'warning', detail: RUN_DETAIL.missing,
    });
  }
  return out;
}

/** The store after the changes: clears removed, updates in place (same id), raises added. */
function apply(open: OpenAlarm[], candidates: AlarmCandidate[], scope: AlarmScope, next: () => string): OpenAlarm[] {
  const ch = reconcileAlarms(open, candidates, scope);
  const cleared = new Set(ch.clear.map((a) => a.id));
  const updated = new Map(ch.update.map((u) => [u.alarm.id, u.candidate]));
  return [
    ...open.filter((a) => !cleared.has(a.id)).map((a) => (updated.has(a.id) ? { ...updated.get(a.id)!, id: a.id, state: a.state } : a)),
    ...ch.raise.map((c): OpenAlarm => ({ ...c, id: next(), state: 'open' })),
  ];
}

const shape = (alarms: readonly AlarmCandidate[]) =>
  alarms.map((a) => [a.periodStart / STEP, a.periodEnd / STEP, a.observed, a.severity]).sort((x, y) => (x[0] as number) - (y[0] as number));

const edit = fc.record({ a: fc.integer({ min: 0, max: N }), len: fc.integer({ min: 1, max: 40 }), flags: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }) });

describe('run alarms after partial recomputations', () => {
  it('equal the alarms from scratch, and recomputing again changes nothing', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: N, maxLength: N }), fc.array(edit, { minLength: 1, maxLength: 6 }), (initial, edits) => {
        let id = 0;
        const next = () => `a${id++}`;
        const flags = [...initial];
        let open: OpenAlarm[] = runs(flags).map((c) => ({ ...c, id: next(), state: 'acknowledged' }));
        const first = new Map(open.map((x) => [`${x.periodStart}|${x.periodEnd}`, x.id]));
        const windows: [number, number][] = [];
        for (const e of edits) {
          const a = Math.min(e.a, N - 1), b = Math.min(N, a + e.len);
          windows.push([a * STEP, b * STEP]);
          for (let j = a; j < b; j++) flags[j] = e.flags[j - a]!;
          const scope: AlarmScope = { rules: ['missing-data'], objects: [{ kind: 'point', id: 'G' }], from: a * STEP, to: b * STEP };
          open = apply(open, runs(flags, a, b), scope, next);
          expect(shape(open)).toEqual(shape(runs(flags)));
          expect(reconcileAlarms(open, runs(flags, a, b), scope)).toEqual({ raise: [], update: [], clear: [] });
        }
        // A run no window reached or met is reported by the alarm first raised for it, still acknowledged.
        for (const x of open) {
          if (windows.some(([a, b]) => x.periodStart <= b && x.periodEnd >= a)) continue;
          expect([x.id, x.state]).toEqual([first.get(`${x.periodStart}|${x.periodEnd}`), 'acknowledged']);
        }
      }),
      { numRuns: 300 },
    );
  });
});
