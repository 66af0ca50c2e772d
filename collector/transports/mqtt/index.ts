/** MQTT transport: pushed snapshots, history requests, status (see README.md). */
export { MqttLink, HistoryError, TOPIC_ROOT, type MqttLinkOptions, type PushTransport, type HistoryAnswer, type InvalidMessage } from './link.ts';
export {
  snapshotSchema,
  historyRequestSchema,
  historyChunkSchema,
  historyRecordSchema,
  eventSchema,
  parseStatus,
  type Snapshot,
  type HistoryRequest,
  type HistoryRecord,
  type HistoryChunk,
  type TerminalEvent,
} from './payload.ts';
