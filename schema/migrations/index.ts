/** The migrations, in order; a static provider so they ship inside the package. */
import type { Migration, MigrationProvider } from 'kysely';
import * as archive from './001-archive.ts';
import * as rawSeries from './002-raw-series.ts';
import * as derived from './003-derived.ts';
import * as settlement from './004-settlement.ts';
import * as alarmDetail from './005-alarm-detail.ts';
import * as auditAction from './006-audit-action.ts';
import * as alarmPeriod from './007-alarm-period.ts';
import * as pointChecks from './008-point-checks.ts';
import * as monthlyLimits from './009-monthly-limits.ts';
import * as ratioChangeReading from './010-ratio-change-reading.ts';
import * as eventUnit from './011-event-unit.ts';

const migrations: Record<string, Migration> = {
  '001-archive': archive,
  '002-raw-series': rawSeries,
  '003-derived': derived,
  '004-settlement': settlement,
  '005-alarm-detail': alarmDetail,
  '006-audit-action': auditAction,
  '007-alarm-period': alarmPeriod,
  '008-point-checks': pointChecks,
  '009-monthly-limits': monthlyLimits,
  '010-ratio-change-reading': ratioChangeReading,
  '011-event-unit': eventUnit,
};

/** Kysely migration provider with every meterflow migration. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
