/** Simulated meter: seeded load model, tariff calendar, register integration, profile memory. */
export { Meter, WS_PER_UNIT, DEFAULT_CAPACITY, type MeterConfig, type MeterReading, type MeterEvent } from './meter.ts';
export { ProfileMemory, type ProfileRecord } from './profile.ts';
export { TariffCalendar, DEFAULT_TARIFF, type TariffSpec, type TariffBand, type BandTier } from './tariff.ts';
export { ProfileLoad, SumLoad, buildLoads, SHAPES, type LoadSpec, type ProfileLoadSpec, type SumLoadSpec, type LoadModel, type StepPower, type ShapeName } from './load.ts';
export { Zone, zoneOf, civilFromDays, daysFromIsoDate, type LocalTime } from './zone.ts';
export { mulberry32, hash32, hashString, uniformAt, normalAt } from './random.ts';
export type { DemandRecord } from './demand.ts';
export type { PhaseLossRecord } from './voltage-loss.ts';
