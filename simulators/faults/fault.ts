/**
 * Faults as data (what a scenario timeline or a run-time call declares), resolved to absolute
 * simulated seconds. Applying them is in apply.ts.
 */

/** Transport faults: they act on the wire of a whole terminal (optionally some unit ids). */
export type WireFault =
  | { kind: 'link-down' }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'timeout'; probability?: number; units?: number[] }
  | { kind: 'corrupt'; mode?: 'crc' | 'garble'; probability?: number; units?: number[] }
  | { kind: 'exception'; code?: number; probability?: number; units?: number[] }
  | { kind: 'mqtt-duplicate'; probability?: number }
  | { kind: 'mqtt-out-of-order'; probability?: number }
  | { kind: 'mqtt-malformed'; probability?: number };

/** Meter faults: they act on the meter behind a unit id (all units when `unit` is absent, where that makes sense). */
export type MeterFault =
  | { kind: 'replace'; unit: number; serial: string; initial: number[] }
  | { kind: 'ct-change'; unit: number; ct: number; pt?: number }
  | { kind: 'pt-change'; unit: number; pt: number; ct?: number }
  | { kind: 'rollover'; unit: number; direction?: number; marginUnits?: number }
  | { kind: 'stuck'; unit: number; registers?: number[] }
  | { kind: 'spike'; unit: number; factor: number }
  | { kind: 'clock-drift'; unit?: number; offsetSeconds?: number; ratePerDay?: number }
  | { kind: 'power-loss'; unit?: number }
  | { kind: 'phase-loss'; unit: number; phase: number }
  | { kind: 'tamper'; unit?: number };

/** A fault on a terminal's timeline: from `at` for `duration` seconds (absent: for good / one-off). */
export type Fault = (WireFault | MeterFault) & { at: number; duration?: number };

/** A fault to inject at run time: `at` defaults to the terminal's current time. */
export type FaultInit = (WireFault | MeterFault) & { at?: number; duration?: number };

const WIRE = ['link-down', 'slow', 'timeout', 'corrupt', 'exception', 'mqtt-duplicate', 'mqtt-out-of-order', 'mqtt-malformed'] as const;

/** Kinds of wire faults: what the link does to requests and pushes (no meter changes). */
export const WIRE_FAULT_KINDS: ReadonlySet<string> = new Set(WIRE);

/** Kinds of faults: the wire's, then the meter's. */
export const FAULT_KINDS = [
  ...WIRE,
  'replace',
  'ct-change',
  'pt-change',
  'rollover',
  'stuck',
  'spike',
  'clock-drift',
  'power-loss',
  'phase-loss',
  'tamper',
] as const;

/** Name of a fault kind. */
export type FaultKind = (typeof FAULT_KINDS)[number];
