import type { FastifyReply, FastifyRequest } from "fastify";

/** How long a connection past the drain limit is still read from after our side closed it. */
const LINGER_MS = 2000;

/**
 * For a request refused before its body was read (413 on its Content-Length): keep the connection
 * and read the rest of the body into nothing, so a client still sending (fetch, most HTTP libraries)
 * finishes its upload and reads the answer. Fastify would close the connection instead, and such a
 * client may then fail with EPIPE or ECONNRESET and never see the 413 (curl happens to cope).
 *
 * Past `maxBytes` thrown away, the connection is closed once the answer is out, gently: our side
 * ends it and goes on reading for a moment (as nginx's lingering close does), because closing with
 * unread data would reset the connection and could lose the answer in flight.
 */
export function drainRefusedBody(request: FastifyRequest, reply: FastifyReply, maxBytes: number): void {
  reply.removeHeader("connection");
  const raw = request.raw;
  let drained = 0;
  let closing = false;
  const closeWhenAnswered = () => {
    if (closing || drained <= maxBytes || !reply.raw.writableFinished) return;
    closing = true;
    const socket = raw.socket;
    socket.end();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
  raw.on("data", (chunk: Buffer) => {
    drained += chunk.length;
    closeWhenAnswered();
  });
  reply.raw.once("finish", closeWhenAnswered);
  raw.resume();
}
