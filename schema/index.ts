/**
 * meterflow's storage: migrations, table types, the storage adapter (TimescaleDB or native
 * partitions), the embedded PostgreSQL, the bulk write path, and the zod schemas of the
 * interchange files.
 */
export * from './registers.ts';
export * from './embedded.ts';
export * from './database.ts';
export * from './storage.ts';
export * from './readings.ts';
export type * from './tables.ts';
export * from './located.ts';
export * from './tariff-spec.ts';
export * from './archive.ts';
export * from './archive-store.ts';
export * from './readings-file.ts';
export * from './import.ts';
export * from './gaps.ts';
export * from './bulk.ts';
export * from './locks.ts';
