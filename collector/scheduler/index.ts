/** Scheduling: queues per bus/gateway, priorities, timeouts, retries, breakers, aligned timers. */
export {
  AcquisitionScheduler,
  CircuitOpenError,
  JobTimeoutError,
  PRIORITY,
  isLinkFailure,
  isRetryable,
  type Job,
  type PriorityName,
  type SchedulerOptions,
} from './scheduler.ts';
export { CircuitBreaker, type BreakerOptions, type BreakerState } from './breaker.ts';
export { AlignedTimer, nextAlignedTime } from './aligned.ts';
export { backoffDelay, sleep, type BackoffOptions } from './backoff.ts';
