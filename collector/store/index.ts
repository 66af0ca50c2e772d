/** The collector's database side: the reading sink, the acquisition-log writer and the backfill's gap source. */
export { DatabaseSink, type DatabaseSinkOptions, type DatabaseSinkStats } from './sink.ts';
export { AcquisitionLogStore, resultOf, type AcquisitionLogOptions, type AcquisitionLogStats, type AcquisitionResult } from './acquisition-log.ts';
export { DatabaseGaps } from './gaps.ts';
export { runCollectorService, type CollectorService, type CollectorServiceOptions } from './service.ts';
export { ClockDriftCheck } from './clock-drift.ts';
