/** Kysely table types of the meterflow schema (see migrations/). */
import type { ColumnType, Generated } from 'kysely';
import type { RegisterColumn } from './registers.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** bigint and numeric columns come back from pg as strings; write numbers or strings. */
type Big = ColumnType<string, number | string | bigint, number | string | bigint>;
/** Columns with a default: optional on insert. */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DefaultBig = ColumnType<string, number | string | bigint | undefined, number | string | bigint>;
type Registers = { [K in RegisterColumn]: Big | null };

export interface SubstationTable { id: string; name: string; time_zone: Generated<string> }
export interface BusTable { id: string; substation_id: string; name: string; voltage_kv: Big }
export interface LineTable { id: string; substation_id: string; name: string; voltage_kv: Big }
export interface TransformerTable { id: string; substation_id: string; name: string; rated_kva: Big }
export interface TerminalTable {
  id: string; substation_id: string | null; name: string; transport: string; address: string;
  profile: Generated<string>; memory_days: Generated<number>;
}
export interface MeterTable {
  id: string; serial: string; profile: Generated<string>; terminal_id: string | null; unit_id: number | null;
  capacity: DefaultBig; primary_values: Generated<boolean>;
}
export interface MeteringPointTable {
  id: string; substation_id: string; name: string; ct_ratio: DefaultBig; pt_ratio: DefaultBig;
  time_zone: string; interval_seconds: Generated<number>; directions: Generated<string[]>;
  import_only: Generated<boolean>; max_interval_energy: Big | null; daily_min: Big | null; daily_max: Big | null; monthly_min: Big | null; monthly_max: Big | null;
  voltage_kv: Big | null; checks: ColumnType<Record<string, number>, string | undefined, string>;
}
export interface InstallationTable {
  id: Generated<string>; point_id: string; meter_id: string; installed_at: Timestamp; removed_at: Timestamp | null;
  initial_readings: ColumnType<string[], (number | null)[], (number | null)[]>;
  final_readings: ColumnType<string[] | null, (number | null)[] | null, (number | null)[] | null>;
}
export interface RatioChangeTable { id: Generated<string>; point_id: string; effective_at: Timestamp; ct_ratio: Big; pt_ratio: Big; readings: ColumnType<(string | null)[] | null, (number | null)[] | null | undefined, (number | null)[] | null> }
export interface BypassEventTable {
  id: Generated<string>; point_id: string; bypass_point_id: string; started_at: Timestamp; ended_at: Timestamp | null;
}
export interface StatObjectTable {
  id: string; kind: 'bus' | 'line' | 'transformer' | 'custom'; ref_id: string | null; name: string;
  voltage_kv: Big | null; limits: ColumnType<Record<string, unknown>, string, string>;
}
export interface StatMemberTable { object_id: string; point_id: string; direction: string; role: 'in' | 'out'; sign: number }
export interface TariffTable { id: string; name: string; effective_from: ColumnType<Date, string, string>; effective_to: ColumnType<Date | null, string | null, string | null>; spec: ColumnType<unknown, string, string> }
export interface AccountTable { id: string; name: string; tariff_id: string; meta: Generated<ColumnType<unknown, string, string>> }
export interface AccountMemberTable { account_id: string; point_id: string; sign: number }

export interface ReadingTable extends Registers {
  point_id: string; ts: Timestamp; source: string; quality: Generated<string>; received_at: DefaultTimestamp;
}
export interface ReadingRevisionTable {
  id: Generated<string>; point_id: string; ts: Timestamp; register: string; old_value: Big | null; new_value: Big | null;
  old_source: string | null; actor: string; reason: string; revised_at: DefaultTimestamp;
}
/** Instantaneous values in the register map's units: 0.01 V, 0.001 A, W, 0.001 of power factor. */
export interface InstantValueTable {
  point_id: string; ts: Timestamp; source: string;
  ua: Big | null; ub: Big | null; uc: Big | null; ia: Big | null; ib: Big | null; ic: Big | null; p_total: Big | null; pf: number | null;
}
export interface VoltageLossTable {
  point_id: string; phase: 'A' | 'B' | 'C'; started_at: Timestamp; ended_at: Timestamp | null; cumulative_seconds: Big | null; loss_count: number | null;
}
/** A terminal's event; `unit_id` 0 for the terminal itself. */
export interface TerminalEventTable { terminal_id: string; ts: Timestamp; kind: string; unit_id: ColumnType<number, number | undefined, number>; detail: ColumnType<unknown, string | undefined, string> }
export interface EnergyFigure extends Registers {
  quality: 'actual' | 'estimated' | 'missing'; method: string | null;
  source_from: Timestamp | null; source_to: Timestamp | null; computed_at: DefaultTimestamp;
}
export interface IntervalEnergyTable extends EnergyFigure { point_id: string; ts: Timestamp }
export interface DailyEnergyTable extends EnergyFigure { point_id: string; day: ColumnType<Date, string, string>; period_start: Timestamp; period_end: Timestamp }
export interface MonthlyEnergyTable extends EnergyFigure { point_id: string; month: ColumnType<Date, string, string>; period_start: Timestamp; period_end: Timestamp }
export interface ObjectResultTable {
  object_id: string; period_kind: 'interval' | 'day' | 'month'; period_start: Timestamp; period_end: Timestamp;
  input: Big | null; output: Big | null; loss: Big | null; loss_rate: Big | null; quality: string; computed_at: DefaultTimestamp;
}
export interface AlarmTable {
  id: Generated<string>; rule: string; object_kind: string; object_id: string; period_start: Timestamp; period_end: Timestamp;
  observed: Big | null; limit_value: Big | null; severity: 'info' | 'warning' | 'critical';
  state: 'open' | 'acknowledged' | 'cleared'; message: string; detail: string | null; raised_at: DefaultTimestamp; updated_at: DefaultTimestamp;
  cleared_at: Timestamp | null; acknowledged_by: string | null; acknowledged_at: Timestamp | null;
}
export interface AdjustmentTable {
  id: Generated<string>; kind: 'supplementary' | 'set'; point_id: string; register: string;
  period_kind: 'interval' | 'day' | 'month'; period_start: Timestamp; value: Big; actor: string; reason: string; created_at: DefaultTimestamp;
}
export interface AuditLogTable {
  id: Generated<string>; at: DefaultTimestamp; actor: string; action: string; entity: string; entity_id: string | null;
  reason: string | null; detail: ColumnType<unknown, string, string>;
}
export interface AcquisitionLogTable {
  ts: Timestamp; terminal_id: string; unit_id: number | null; what: string;
  result: 'ok' | 'error' | 'timeout' | 'exception' | 'bad-frame' | 'rejected';
  duration_ms: number | null; error: string | null; detail: ColumnType<unknown, string | null, string | null> | null;
}
export interface CalcTaskTable {
  id: Generated<string>; point_id: string; from_ts: Timestamp; to_ts: Timestamp; reason: string;
  state: Generated<'pending' | 'running' | 'done' | 'failed'>; claimed_by: string | null; claimed_at: Timestamp | null;
  attempts: Generated<number>; error: string | null; created_at: DefaultTimestamp; finished_at: Timestamp | null;
}
export interface MetaTable { key: string; value: string }

/** Every table of the schema, for `Kysely<Tables>`. */
export interface Tables {
  meterflow_meta: MetaTable;
  substation: SubstationTable; bus: BusTable; line: LineTable; transformer: TransformerTable;
  terminal: TerminalTable; meter: MeterTable; metering_point: MeteringPointTable; installation: InstallationTable;
  ratio_change: RatioChangeTable; bypass_event: BypassEventTable; stat_object: StatObjectTable; stat_member: StatMemberTable;
  tariff: TariffTable; account: AccountTable; account_member: AccountMemberTable;
  reading: ReadingTable; reading_revision: ReadingRevisionTable;
  instant_value: InstantValueTable; voltage_loss: VoltageLossTable; terminal_event: TerminalEventTable;
  interval_energy: IntervalEnergyTable; daily_energy: DailyEnergyTable; monthly_energy: MonthlyEnergyTable;
  object_result: ObjectResultTable; alarm: AlarmTable; adjustment: AdjustmentTable; audit_log: AuditLogTable;
  acquisition_log: AcquisitionLogTable; calc_task: CalcTaskTable;
}
