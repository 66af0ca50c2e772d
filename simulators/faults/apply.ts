/**
 * Putting faults on a terminal's timeline: each is switched on at `at` and, when it has a
 * duration, off again at `at + duration`. Every switch is emitted as a 'fault' event so the
 * ground-truth record says exactly what was done when.
 */
import { Meter } from '../meter/index.ts';
import type { MeterSlot, Terminal } from '../terminal/index.ts';
import { WIRE_FAULT_KINDS, type Fault, type MeterFault, type WireFault } from './fault.ts';
import { REGISTER_COUNT } from '../../schema/registers.ts';

function rate(f: { probability?: number; units?: number[] }) {
  return { probability: f.probability ?? 1, ...(f.units ? { units: f.units } : {}) };
}

/** Switch a wire fault on or off. */
function wire(terminal: Terminal, f: WireFault, on: boolean): void {
  const w = terminal.wire;
  switch (f.kind) {
    case 'link-down':
      return w.setLinkDown(on);
    case 'slow':
      w.delayMs = on ? f.delayMs : 0;
      return;
    case 'timeout':
      w.timeout = on ? rate(f) : undefined;
      return;
    case 'corrupt':
      w.corrupt = on ? { ...rate(f), mode: f.mode ?? 'crc' } : undefined;
      return;
    case 'exception':
      w.exception = on ? { ...rate(f), code: f.code ?? 4 } : undefined;
      return;
    case 'mqtt-duplicate':
      w.duplicate = on ? rate(f) : undefined;
      return;
    case 'mqtt-out-of-order':
      w.outOfOrder = on ? rate(f) : undefined;
      return;
    case 'mqtt-malformed':
      w.malformed = on ? rate(f) : undefined;
      return;
  }
}

function targets(terminal: Terminal, unit: number | undefined): MeterSlot[] {
  const slots = unit === undefined ? terminal.units() : [terminal.slot(unit)].filter((s): s is MeterSlot => !!s);
  if (slots.length === 0) throw new Error(`terminal ${terminal.id} has no meter at unit ${unit}`);
  return slots;
}

function live(slot: MeterSlot): Meter {
  if (!(slot.meter instanceof Meter)) throw new Error(`unit ${slot.unit} is not a live meter`);
  return slot.meter;
}

/** Switch a meter fault on or off; returns details for the record. */
function meter(terminal: Terminal, f: MeterFault, on: boolean): Record<string, unknown> | undefined {
  switch (f.kind) {
    case 'replace':
      if (on) terminal.replaceMeter(f.unit, f.serial, f.initial);
      return undefined;
    case 'ct-change':
    case 'pt-change': {
      if (!on) return undefined;
      const s = targets(terminal, f.unit)[0]!;
      const ct = f.ct ?? s.config?.ctRatio ?? 1;
      const pt = f.pt ?? s.config?.ptRatio ?? 1;
      const before = { ct: s.config?.ctRatio ?? 1, pt: s.config?.ptRatio ?? 1 };
      live(s).setRatios(ct, pt);
      if (s.config) s.config = { ...s.config, ctRatio: ct, ptRatio: pt };
      return { before, after: { ct, pt }, registers: s.meter.reading().registers };
    }
    case 'rollover':
      if (on) live(targets(terminal, f.unit)[0]!).presetNearCapacity(f.direction ?? 0, f.marginUnits ?? 500);
      return undefined;
    case 'stuck': {
      const regs = f.registers ?? Array.from({ length: REGISTER_COUNT }, (_, i) => i);
      for (const s of targets(terminal, f.unit)) live(s).setStuck(regs, on);
      return undefined;
    }
    case 'spike':
      for (const s of targets(terminal, f.unit)) live(s).setSpike(on ? f.factor : 1);
      return undefined;
    case 'clock-drift':
      for (const s of targets(terminal, f.unit)) {
        const m = live(s);
        // Off: the clock is set right again (a clock-set event), drift stops.
        if (on) m.setClock(f.offsetSeconds ?? 0, f.ratePerDay ?? 0);
        else m.setClock(terminal.time - m.clock(), 0);
      }
      return undefined;
    case 'power-loss':
      for (const s of targets(terminal, f.unit)) live(s).setPowerLoss(on);
      return undefined;
    case 'phase-loss':
      live(targets(terminal, f.unit)[0]!).setPhaseLoss(f.phase, on);
      return undefined;
    case 'tamper':
      return undefined;
  }
}

/** Switch a fault on (true) or off (false) now, emitting it as a 'fault' event. */
export function switchFault(terminal: Terminal, f: Fault, on: boolean): void {
  const detail = WIRE_FAULT_KINDS.has(f.kind) ? (wire(terminal, f as WireFault, on), undefined) : meter(terminal, f as MeterFault, on);
  const { at: _at, duration: _d, kind, ...params } = f;
  const unit = 'unit' in f ? f.unit : undefined;
  terminal.emit({
    type: 'fault',
    time: terminal.time,
    terminal: terminal.id,
    ...(unit !== undefined ? { unit } : {}),
    kind,
    phase: on ? 'start' : 'end',
    detail: { ...params, ...detail },
  });
}

/** Put a fault on the terminal's timeline (at `f.at`, and off after `f.duration`). */
export function scheduleFault(terminal: Terminal, f: Fault): void {
  terminal.schedule(f.at, () => switchFault(terminal, f, true));
  if (f.duration !== undefined) terminal.schedule(f.at + f.duration, () => switchFault(terminal, f, false));
}
