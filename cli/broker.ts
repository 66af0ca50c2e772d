/**
 * The MQTT broker meterflow talks to: `MQTT_URL` when set, otherwise an in-process broker
 * (aedes) on a free loopback port, which lives as long as this process.
 */
import net from 'node:net';
import Aedes from 'aedes';

/** A broker to connect to, and how to let go of it. */
export interface Broker {
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

/** Use `MQTT_URL` (or `url`), or start the embedded broker. */
export async function ensureBroker(url = process.env.MQTT_URL): Promise<Broker> {
  if (url) return { url, embedded: false, close: async () => undefined };
  // aedes' types declare a class; its CommonJS export is a factory.
  const aedes = (Aedes as unknown as { createBroker(): { handle: (s: net.Socket) => void; close(cb: () => void): void } }).createBroker();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    embedded: true,
    close: async () => {
      // Clients still connected (a collector that failed half-way) must not hold the close.
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => aedes.close(() => r()));
    },
  };
}
