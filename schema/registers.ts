/**
 * The register vocabulary of DESIGN.md §4: four directions × five tariff tiers = 20 cumulative
 * energy counters. Values are handled as integers in the register's resolution (0.01 kWh or
 * kvarh), never as floats.
 */

/** Energy directions, in the order of the `sim-terminal-v1` register map. */
export const DIRECTIONS = ['ap_imp', 'ap_exp', 'rp_imp', 'rp_exp'] as const;
/** A direction of energy flow: active/reactive × import/export. */
export type Direction = (typeof DIRECTIONS)[number];

/** Tariff tiers, `total` first, in register-map order. */
export const TIERS = ['total', 'sharp', 'peak', 'flat', 'valley'] as const;
/** A tariff tier. */
export type Tier = (typeof TIERS)[number];

/** A register name such as `ap_imp.peak`. */
export type RegisterCode = `${Direction}.${Tier}`;

/** The 20 registers in register-map order: index `d * 5 + t`. */
export const REGISTER_CODES: readonly RegisterCode[] = DIRECTIONS.flatMap((d) =>
  TIERS.map((t) => `${d}.${t}` as RegisterCode),
);

/** Number of energy registers in a snapshot. */
export const REGISTER_COUNT = 20;

/** Register resolution: values are stored as integers of 0.01 unit. */
export const REGISTER_SCALE = 100;

/** Column name of a register in SQL tables: `ap_imp.peak` → `ap_imp_peak`. */
export function registerColumn(code: RegisterCode): RegisterColumn {
  return code.replace('.', '_') as RegisterColumn;
}

/** A register's SQL column name. */
export type RegisterColumn = `${Direction}_${Tier}`;

/** A meter's register capacity where the archive names none: 1 000 000.00 in 0.01 steps (6 + 2 digits). */
export const DEFAULT_REGISTER_CAPACITY = 100_000_000;

/** The 20 register columns in register-map order. */
export const REGISTER_COLUMNS: readonly RegisterColumn[] = REGISTER_CODES.map(registerColumn);

/** Index of a register in a snapshot, or -1 when the name is not a register. */
export function registerIndex(code: string): number {
  return REGISTER_CODES.indexOf(code as RegisterCode);
}

/** Whether a string names one of the 20 registers. */
export function isRegisterCode(code: string): code is RegisterCode {
  return registerIndex(code) >= 0;
}

/**
 * Parse a decimal register value ("12345.67") into integer hundredths exactly, without
 * passing through a float. Returns undefined when the text is not a plain decimal with at most
 * two fraction digits.
 */
export function parseRegisterValue(text: string): number | undefined {
  // Zeros past the register's resolution ("12.500", as spreadsheets write) lose nothing; other digits would.
  const m = /^\s*(\d*)(?:\.(\d{1,2})0*)?\s*$/.exec(text);
  if (!m || (m[1] === '' && m[2] === undefined)) return undefined;
  const units = Number(m[1] || '0');
  const frac = Number(((m[2] ?? '') + '00').slice(0, 2));
  const value = units * REGISTER_SCALE + frac;
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Why `parseRegisterValue` refuses `text`: too large for exact hundredths, or not such a decimal at all. */
export function registerValueProblem(text: string): string {
  const whole = /^\s*(\d+)(\.\d+)?\s*$/.exec(text)?.[1];
  return whole !== undefined && BigInt(whole) * BigInt(REGISTER_SCALE) > BigInt(Number.MAX_SAFE_INTEGER)
    ? `larger than any register holds (at most ${formatRegisterValue(Number.MAX_SAFE_INTEGER)})`
    : 'not a non-negative decimal with at most 2 decimals (the register resolution, 0.01)';
}

/** Format integer hundredths as a decimal string ("12345.67"). */
export function formatRegisterValue(hundredths: number): string {
  const sign = hundredths < 0 ? '-' : '';
  const abs = Math.abs(hundredths);
  const units = Math.floor(abs / REGISTER_SCALE);
  const frac = String(abs % REGISTER_SCALE).padStart(2, '0');
  return `${sign}${units}.${frac}`;
}

/** Where a raw reading came from. */
export const READING_SOURCES = ['poll', 'push', 'backfill', 'import', 'manual'] as const;
/** Where a raw reading came from. */
export type ReadingSource = (typeof READING_SOURCES)[number];
