/** The open alarms of one reconciliation as its rounds leave them, in memory (alarms.ts). */
import type { AlarmCandidate, AlarmChanges, OpenAlarm } from '../alarms.ts';

const PENDING = 'pending:'; // the id of an alarm a round raised, until it is inserted

/**
 * The open alarms as the rounds of one call leave them, and the net changes to the stored ones:
 * an alarm raised and then changed is raised as it ends; raised and cleared, never written;
 * updated twice, updated once; updated and cleared, cleared.
 */
export class AlarmLedger {
  private readonly current = new Map<string, OpenAlarm>();
  private readonly stored = new Map<string, OpenAlarm>();
  private pending = 0;

  /** Start from the alarms stored open. */
  constructor(open: readonly OpenAlarm[]) {
    for (const a of open) this.current.set(a.id, a), this.stored.set(a.id, a);
  }

  /** The open alarms now. */
  open(): OpenAlarm[] {
    return [...this.current.values()];
  }

  /** Take a round's changes. */
  apply(c: AlarmChanges): void {
    for (const a of c.clear) this.current.delete(a.id);
    for (const r of c.raise) {
      const id = `${PENDING}${this.pending++}`;
      this.current.set(id, { ...r, id, state: 'open' });
    }
    for (const { alarm, candidate } of c.update) this.current.set(alarm.id, { ...candidate, id: alarm.id, state: alarm.state });
  }

  /** What to write: the stored alarms' net changes. */
  net(): AlarmChanges {
    const out: AlarmChanges = { raise: [], update: [], clear: [] };
    for (const [id, a] of this.stored) if (!this.current.has(id)) out.clear.push(a);
    for (const [id, a] of this.current) {
      const before = this.stored.get(id);
      if (!before) out.raise.push(candidateOf(a));
      else if (a !== before && !sameFigures(a, before)) out.update.push({ alarm: before, candidate: candidateOf(a) });
    }
    return out;
  }
}

function candidateOf({ id: _, state: __, ...c }: OpenAlarm): AlarmCandidate {
  return c;
}

function sameFigures(a: AlarmCandidate, b: AlarmCandidate): boolean {
  return a.periodStart === b.periodStart && a.periodEnd === b.periodEnd && a.observed === b.observed &&
    a.limit === b.limit && a.severity === b.severity && a.detail === b.detail;
}

