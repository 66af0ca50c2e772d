/**
 * The readings file (`meterflow import readings <file.csv>`): columns `point,ts,register,value`,
 * ts ISO 8601 with offset, register like `ap_imp.peak`, value a decimal with at most two
 * decimals. Parsing is pure: rows become snapshots, bad rows become located rejections.
 */
import { DateTime } from 'luxon';
import { REGISTER_CODES, REGISTER_COUNT, formatRegisterValue, parseRegisterValue, registerIndex, registerValueProblem } from './registers.ts';
import type { ReadingRow } from './readings.ts';
import type { InputProblem } from './located.ts';

/** A row refused, with its line and the reason. */
export interface RejectedRow extends InputProblem {
  line: number;
  raw: string;
}

/** The good snapshots and the rejected rows of a readings file. */
export interface ParsedReadings {
  rows: ReadingRow[];
  /** Source line of every value of every snapshot: key `point|ms|registerIndex`. */
  lines: Map<string, number>;
  /** Each snapshot's time as the file writes it: key `point|ms`. */
  times: Map<string, string>;
  rejected: RejectedRow[];
  valueCount: number;
}

const HEADER = ['point', 'ts', 'register', 'value'] as const;

/** Split one CSV line; fields may be double-quoted. */
function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '', quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') out.push(cur), (cur = '');
    else cur += ch;
  }
  out.push(cur);
  return out.map((f) => f.trim());
}

/**
 * A time as ISO 8601 wants it, from the spellings people and spreadsheets write: a space for
 * the `T`, a lower-case `z`, an offset of hours only (`+02`).
 */
function isoTime(text: string): string {
  return text.replace(/^(\d{4}-\d{2}-\d{2}) (?=\d)/, '$1T').replace(/z$/, 'Z').replace(/(T[\d:.]+[+-]\d{2})$/, '$1:00');
}

/** The meter a point had at an instant, with its register capacity in hundredths. */
export interface InstalledMeter {
  meterId: string;
  capacity: number;
}

/** Why luxon refused a time, in the file's terms (its own words name its arguments' types). */
function invalidTime(ts: DateTime): string {
  const out = /you specified (\d+) \(of type number\) as an? (\w+)/.exec(ts.invalidExplanation ?? '');
  return out ? `not a valid time: no ${out[2]} ${out[1]}` : 'not an ISO 8601 time, e.g. 2026-10-01T00:15:00+02:00';
}

/**
 * Parse a readings CSV. `knownPoint` says whether a point id exists in the archive; `meterAt`,
 * when given, which meter was installed at the point then, so that a value its registers cannot
 * show (at or above the capacity, where they wrap to 0) is rejected. A value given twice for the
 * same point, time and register with different values is rejected.
 */
export function parseReadingsCsv(text: string, file: string, knownPoint: (id: string) => boolean, meterAt?: (id: string, ms: number) => InstalledMeter | undefined): ParsedReadings {
  const lines = text.split(/\r?\n/);
  const rejected: RejectedRow[] = [];
  const header = splitCsv(lines[0] ?? '').map((h) => h.toLowerCase());
  const col = HEADER.map((h) => header.indexOf(h));
  if (col.some((c) => c < 0)) {
    const missing = HEADER.filter((_, i) => col[i]! < 0).join(', ');
    return { rows: [], lines: new Map(), times: new Map(), valueCount: 0, rejected: [{ file, line: 1, raw: lines[0] ?? '', field: 'header', message: `missing column(s) ${missing}; expected header point,ts,register,value` }] };
  }
  const snapshots = new Map<string, ReadingRow & { values: (number | null)[] }>();
  const where = new Map<string, number>();
  const times = new Map<string, string>();
  let valueCount = 0;
  let lastTsText: string | undefined, lastTs: DateTime | undefined;
  for (let n = 1; n < lines.length; n++) {
    const raw = lines[n]!;
    if (raw.trim() === '') continue;
    const line = n + 1;
    const f = splitCsv(raw);
    const reject = (field: string, message: string) => rejected.push({ file, line, field, message, raw });
    // A field past the named columns (a decimal comma splits `1234,5`; a header's trailing comma names nothing).
    if (f.some((x, k) => x !== '' && !header[k])) {
      reject('value', `${f.filter((x) => x !== '').length} fields where the header names ${header.filter(Boolean).length}: a decimal comma? Write values with a point (1234.5), or quote the field`);
      continue;
    }
    const [point, tsRaw, registerRaw, valueText] = col.map((c) => f[c] ?? '') as [string, string, string, string];
    const tsText = isoTime(tsRaw);
    // `ap_imp_total` is how psql shows the column; `AP_IMP.TOTAL` how some exports write it.
    const register = registerRaw.toLowerCase().replace(/_(total|sharp|peak|flat|valley)$/, '.$1');
    if (!point) { reject('point', 'empty'); continue; }
    if (!knownPoint(point)) { reject('point', `unknown metering point '${point}'; import the archive first`); continue; }
    if (!/(Z|[+-]\d{2}:?\d{2})$/.test(tsText)) { reject('ts', `'${tsRaw}' needs an ISO 8601 time with offset, e.g. 2026-10-01T00:15:00+02:00`); continue; }
    // The up to 20 rows of one snapshot share their time text: parse it once.
    if (tsText !== lastTsText) (lastTsText = tsText), (lastTs = DateTime.fromISO(tsText, { setZone: true }));
    const ts = lastTs!;
    if (!ts.isValid) { reject('ts', `'${tsRaw}' is ${invalidTime(ts)}`); continue; }
    const index = registerIndex(register);
    if (index < 0) { reject('register', `unknown register '${register}'; one of ${REGISTER_CODES.join(', ')}`); continue; }
    const value = parseRegisterValue(valueText);
    if (value === undefined) { reject('value', `'${valueText}' is ${registerValueProblem(valueText)}`); continue; }
    const date = ts.toJSDate();
    const meter = meterAt?.(point, date.getTime());
    if (meter && value >= meter.capacity) {
      reject('value', `${valueText} is beyond meter ${meter.meterId}'s registers, which wrap to 0 at ${formatRegisterValue(meter.capacity)}: check the value, or the meter's capacity in the archive`);
      continue;
    }
    const key = `${point}|${date.getTime()}`;
    let snap = snapshots.get(key);
    if (!snap) {
      snapshots.set(key, (snap = { pointId: point, ts: date, source: 'import', values: new Array<number | null>(REGISTER_COUNT).fill(null) }));
      times.set(key, tsRaw);
    }
    const prev = snap.values[index];
    if (prev !== null && prev !== undefined && prev !== value) {
      reject('value', `${register} of ${point} at ${tsText} is also given as ${formatRegisterValue(prev)} on line ${where.get(`${key}|${index}`)}`);
      continue;
    }
    if (prev === null) valueCount++;
    snap.values[index] = value;
    where.set(`${key}|${index}`, line);
  }
  return { rows: [...snapshots.values()], lines: where, times, rejected, valueCount };
}

/** The rejects file written next to the input with `--skip-invalid`. */
export function rejectsCsv(rejected: readonly RejectedRow[]): string {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return ['line,field,reason,row', ...rejected.map((r) => [r.line, r.field ?? '', q(r.message), q(r.raw)].join(','))].join('\n') + '\n';
}
