/** The engine's database side: loading, recomputing dirty ranges, saving figures, the worker. */
export * from './load.ts';
export * from './save.ts';
export * from './recompute.ts';
export * from './worker.ts';
export * from './export.ts';
export * from './alarms.ts';
export * from './checks.ts';
export * from './bulk.ts';
export * from './adjust.ts';
