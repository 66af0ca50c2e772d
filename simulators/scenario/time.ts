/** Scenario time notation: durations ("15m", "1d2h", 900) and instants (ISO with offset, or "+2h" after start). */

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** Seconds of a duration like "1d2h30m", "90s", "7d", or a number of seconds; undefined if invalid. */
export function parseDuration(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? v : undefined;
  const text = v.trim();
  if (!/^(\d+[smhdw])+$/.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/(\d+)([smhdw])/g)) total += Number(m[1]) * UNITS[m[2]!]!;
  return total;
}

/** Unix seconds of an instant: ISO 8601 with offset (or Z), or "+<duration>" after `start`. */
export function parseInstant(v: string | Date, start?: number): number | undefined {
  if (v instanceof Date) return Math.floor(v.getTime() / 1000);
  const text = v.trim();
  if (text.startsWith('+')) {
    const d = parseDuration(text.slice(1));
    return d === undefined || start === undefined ? undefined : start + d;
  }
  // An offset is required: a bare local time would be ambiguous around DST.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}
