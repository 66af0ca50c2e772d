/**
 * Month locks: once a month is settled, changes that would alter its figures (raw readings,
 * adjustments, archive) are refused with an error naming the settlement, and the refused change
 * is kept in `pending_change` to be applied when the month is reopened. The lock itself lives in
 * the storage layer (schema/locks.ts), where the bulk write path enforces it for every reading.
 */
import { writeReadings, lockedMonth, MonthLockedError, type Database, type ReadingRow, type WriteOptions, type WriteResult } from '../../schema/index.ts';

export { lockedMonth, holdPending, heldReadings, readingRows, MonthLockedError, type MonthLock, type HeldChange, type HeldReading } from '../../schema/index.ts';

/** Throw {@link MonthLockedError} (nothing kept) when the range touches a locked month. */
export async function assertUnlocked(db: Database, pointIds: readonly string[], from: Date, to: Date): Promise<void> {
  const lock = await lockedMonth(db, pointIds, from, to);
  if (lock) throw new MonthLockedError(lock, null);
}

/**
 * Write register snapshots; those in a locked month are kept as one pending change by the write
 * path, and then a {@link MonthLockedError} is thrown naming the settlement and the pending
 * change (its `written` result tells what did go in).
 */
export async function writeReadingsUnlessLocked(handle: Database, rows: readonly ReadingRow[], opts: WriteOptions = {}): Promise<WriteResult> {
  const written = await writeReadings(handle, rows, opts);
  if (written.held.length === 0) return written;
  const { lock, pendingId, rows: n } = written.held[0]!;
  const more = written.held.slice(1).map((h) => `; ${h.rows} more in ${h.lock.month} (pending change #${h.pendingId})`).join('');
  const err = new MonthLockedError(lock, pendingId, `: ${n} of ${rows.length} readings fall in it${more} (${rows.length - written.held.reduce((a, h) => a + h.rows, 0)} others written or unchanged)`);
  throw Object.assign(err, { written });
}
