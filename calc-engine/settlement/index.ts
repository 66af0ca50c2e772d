/**
 * Monthly settlement (DESIGN.md §8): tariffs with effective dates, accounts of signed metering
 * points, the completeness gate, statements to the cent, month locks, re-settlement with
 * difference statements, and exports. The public surface of `calc-engine/settlement/`.
 */
export {
  parseDecimal, formatDecimal, formatMoney, decAdd, decSub, decMul, decSum, decRound, decCmp, decIsZero, dec, DEC_ZERO, type Decimal,
} from './decimal.ts';
export { PF_TABLE_090, PF_TABLE_085, PF_TABLE_080, PF_STANDARD_TABLES, powerFactorHundredths, pfAdjustmentPercent, formatPowerFactor, type PfTable } from './pf-tables.ts';
export { parseTariff, schedulesOf, type Tariff, type TariffRecord, type EnergyPricing, type BasicCharge, type PowerFactorRule } from './tariff.ts';
export {
  BILLED_TIERS, zeroFigures, addFigures, figuresFromRow,
  type BilledTier, type RegisterFigures, type MemberFigure, type BillingWindow, type StatementInput, type ChargeLine, type StatementFigures, type Statement,
} from './model.ts';
export { billingDays, tariffSpans, attributeEnergy, midMonthMode, type TariffSpan } from './windows.ts';
export { tiersFromCalendar, monthCalendarTiers, type SpanTiers } from './tou-split.ts';
export { computeStatement, differenceStatement, accountPowerFactor } from './statement.ts';
export { prepareMonth, type GateProblem, type GateOptions, type PreparedMonth } from './prepare.ts';
export { latestRun, runsOf, loadStatements, type SettlementRun, type RunSummary } from './store.ts';
export {
  lockedMonth, assertUnlocked, holdPending, writeReadingsUnlessLocked, MonthLockedError,
  type MonthLock, type HeldChange, type HeldReading,
} from './lock.ts';
export { settleMonth, checkMonth, SettlementRefusedError, MonthSettledError, type SettleOptions, type SettlementResult } from './settle.ts';
export { reopenMonth, type ReopenOptions, type ReopenResult, type PendingApplier } from './reopen.ts';
export { exportRun, statementsCsv, statementHtml, summaryText, EXPORT_FORMATS, type ExportFormat, type ExportOptions } from './export.ts';
