/**
 * Bypass substitution (DESIGN.md §5): while feeder point P is carried by bypass point B from t1
 * to t2, P's energy in that window is B's, and B counts nothing there — the energy is counted
 * once, on the feeder it belongs to.
 */

/** Feeder `feederId` carried by bypass point `bypassId` over [from, to] (epoch ms). */
export interface BypassEvent {
  readonly id?: string;
  readonly feederId: string;
  readonly bypassId: string;
  readonly from: number;
  readonly to: number;
}

/** A stretch of a point's window whose energy comes from elsewhere. */
export interface BypassWindow {
  readonly from: number;
  readonly to: number;
  /** The point whose readings stand in (the bypass point), or null: this point counts zero. */
  readonly source: string | null;
}

/**
 * The bypass windows of `pointId` clipped to (a, b]: as a feeder it takes the bypass point's
 * energy; as a bypass point it gives its energy away. Sorted by start; overlapping events are
 * an archive error the caller validates (the first one wins here).
 */
export function bypassWindows(events: readonly BypassEvent[], pointId: string, a: number, b: number): BypassWindow[] {
  const out: BypassWindow[] = [];
  for (const e of events) {
    const from = Math.max(a, e.from);
    const to = Math.min(b, e.to);
    if (from >= to) continue;
    if (e.feederId === pointId) out.push({ from, to, source: e.bypassId });
    else if (e.bypassId === pointId) out.push({ from, to, source: null });
  }
  return out.sort((x, y) => x.from - y.from);
}
