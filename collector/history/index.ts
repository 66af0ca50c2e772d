/** Backfill from terminals' stored interval records (Modbus load profile). */
export {
  readLoadProfileInfo,
  readStoredRecord,
  readHistory,
  intervalEnds,
  type LoadProfileInfo,
  type StoredRecord,
  type HistorySpan,
} from './load-profile.ts';
