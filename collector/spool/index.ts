/** The durable on-disk spool of readings the sink could not take. */
export { Spool, SpoolFullError, type SpoolOptions, type SpoolRecovery } from './spool.ts';
