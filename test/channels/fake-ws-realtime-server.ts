import Fastify from "fastify";
import fastifyWebsocket from "@fastify/websocket";
import type { IncomingHttpHeaders } from "node:http";

/** The part of a `ws` socket the fakes use (the package ships no types). */
type ServerSocket = { send(text: string): void; close(code?: number): void; on(event: "message", fn: (data: Buffer) => void): void; on(event: "close", fn: (code: number) => void): void; readyState: number };

export type FakeConnection = {
  url: URL;
  headers: IncomingHttpHeaders;
  /** Every JSON message the client sent, in order. */
  received: any[];
  send(message: object): void;
  close(): void;
  /** Resolves with the close code once the client or server closes. */
  closed: Promise<number>;
  /** The first received message (past or future) that matches, or a rejection after `timeoutMs`. */
  next(match: (message: any) => boolean, timeoutMs?: number): Promise<any>;
};

/**
 * A WebSocket server on loopback for the realtime vendor fakes: every connection to a path the
 * vendor serves is recorded and handed to `onConnection` to script the vendor's side.
 */
export async function startFakeWsServer(serves: (url: URL) => boolean, onConnection: (connection: FakeConnection) => void) {
  const app = Fastify();
  await app.register(fastifyWebsocket);
  const connections: FakeConnection[] = [];
  const waiters = new Set<() => void>();
  app.get("/*", { websocket: true }, (socket: ServerSocket, request) => {
    const url = new URL(request.url, "http://fake");
    if (!serves(url)) return socket.close(1008);
    const received: any[] = [];
    const listeners = new Set<() => void>();
    let resolveClosed!: (code: number) => void;
    const connection: FakeConnection = {
      url, headers: request.headers, received,
      send: (message) => { if (socket.readyState === 1) socket.send(JSON.stringify(message)); },
      close: () => socket.close(1000),
      closed: new Promise((resolve) => (resolveClosed = resolve)),
      next(match, timeoutMs = 5000) {
        return new Promise((resolve, reject) => {
          const check = () => {
            const found = received.find(match);
            if (found === undefined) return false;
            listeners.delete(check);
            clearTimeout(timer);
            resolve(found);
            return true;
          };
          const timer = setTimeout(() => { listeners.delete(check); reject(new Error(`no matching message; received ${received.map((m) => m.type ?? Object.keys(m)[0]).join(", ")}`)); }, timeoutMs);
          if (!check()) listeners.add(check);
        });
      },
    };
    socket.on("message", (data) => {
      received.push(JSON.parse(data.toString("utf8")));
      for (const listener of [...listeners]) listener();
    });
    socket.on("close", (code) => resolveClosed(code));
    connections.push(connection);
    for (const waiter of [...waiters]) waiter();
    onConnection(connection);
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    base: `http://127.0.0.1:${port}`,
    connections,
    /** The `index`-th connection (0-based), waiting for it to open. */
    connection(index: number, timeoutMs = 5000): Promise<FakeConnection> {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!connections[index]) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(connections[index]);
        };
        const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`connection ${index} never opened`)); }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => app.close(),
  };
}
