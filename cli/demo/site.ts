/**
 * The demo's pieces that are plain data: the collector's site.yaml for the served simulators,
 * the archive patch a field crew records after a meter swap, and the history a previous system
 * held for the weeks before the live window.
 */
import { formatRegisterValue, REGISTER_CODES, type ReadingRow } from '../../schema/index.ts';
import type { Endpoint, Simulation } from '../../simulators/index.ts';

/** site.yaml text for the endpoints the simulators serve. */
export function demoSiteYaml(endpoints: readonly Endpoint[], sim: Simulation, spool: string): string {
  // Time runs accelerated: wall-clock settings (timeouts, breaker pauses, sweeps) are short.
  const lines = ['# Written by `meterflow demo` for the simulators it serves.', 'site: demo-riverside', 'intervalSeconds: 900', 'offsetSeconds: 20',
    'timeoutMs: 5000', 'retries: 1', 'breaker: { failureThreshold: 2, cooldownMs: 1000, maxCooldownMs: 4000 }',
    'backfill: { sweepSeconds: 3, lookbackDays: 3 }', `spool: { path: ${JSON.stringify(spool)} }`, 'terminals:'];
  for (const e of endpoints) {
    const t = sim.terminals.find((x) => x.id === e.terminal)!;
    // Modbus polls store the record the meter froze at the boundary: exact, however late the poll.
    lines.push(`  - id: ${e.terminal}`, '    profile: sim-terminal-v1', ...(e.mqtt ? [] : ['    pollFrom: load-profile']));
    if (e.modbusTcp) lines.push(`    transport: { kind: modbus-tcp, host: ${e.modbusTcp.host}, port: ${e.modbusTcp.port}, timeoutMs: 1000 }`);
    else if (e.modbusRtu) lines.push(`    transport: { kind: modbus-rtu, path: ${e.modbusRtu.path}, baudRate: ${e.modbusRtu.baud}, parity: ${e.modbusRtu.parity}, timeoutMs: 1000 }`);
    else if (e.mqtt) lines.push(`    transport: { kind: mqtt }`);
    lines.push('    meters:');
    for (const s of t.units()) lines.push(`      - { unitId: ${s.unit}, point: ${s.name} }`);
  }
  const mqtt = endpoints.find((e) => e.mqtt)?.mqtt;
  if (mqtt) lines.push(`mqtt: { url: "${mqtt.url}" }`);
  return lines.join('\n') + '\n';
}

const registerSet = (values: readonly number[]) =>
  `{ ${REGISTER_CODES.map((c, i) => `${c}: ${formatRegisterValue(values[i]!)}`).join(', ')} }`;

/** The archive patch recording a meter swap: the old installation closed, the new one opened. */
export function swapArchiveYaml(s: { point: string; terminal: string; unit: number; at: Date; oldMeter: string; newMeter: string; newSerial: string; installedAt: Date; final: readonly number[]; initial: readonly number[] }): string {
  return [
    `meters: [{ id: ${s.newMeter}, serial: "${s.newSerial}", terminal: ${s.terminal}, unitId: ${s.unit}, capacity: 1000000.00 }]`,
    'installations:',
    `  - { point: ${s.point}, meter: ${s.oldMeter}, installedAt: "${s.installedAt.toISOString()}", removedAt: "${s.at.toISOString()}", initial: { ap_imp.total: 0 }, final: ${registerSet(s.final)} }`,
    `  - { point: ${s.point}, meter: ${s.newMeter}, installedAt: "${s.at.toISOString()}", initial: ${registerSet(s.initial)} }`,
  ].join('\n') + '\n';
}

/** The load-profile records every simulated meter holds before `until` (Unix s), as readings of its point. */
export function historyRows(sim: Simulation, until: number): ReadingRow[] {
  const rows: ReadingRow[] = [];
  for (const t of sim.terminals) {
    for (const s of t.units()) {
      for (const r of s.meter.profile.range(sim.start, until - 1)) {
        rows.push({ pointId: s.name, ts: new Date(r.time * 1000), source: 'import', values: [...r.registers] });
      }
    }
  }
  return rows;
}
