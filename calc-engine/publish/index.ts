/** Where alarm changes go besides the database: the log, MQTT, and the engine's HTTP endpoint. */
export * from './mqtt.ts';
export * from './http.ts';
