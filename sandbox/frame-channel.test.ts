import assert from "node:assert/strict";
import { createServer, connect, type Socket } from "node:net";
import { FrameChannel } from "./frame-channel.ts";

/** Two connected sockets over loopback TCP. */
async function socketPair(): Promise<[Socket, Socket]> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const accepted = new Promise<Socket>((resolve) => server.once("connection", resolve));
  const client = connect((server.address() as { port: number }).port, "127.0.0.1");
  const other = await accepted;
  server.close();
  return [client, other];
}

describe("the sandbox frame channel", () => {
  it("delivers each string whole and in order, whatever the chunks the bytes arrive in", async () => {
    const [a, b] = await socketPair();
    const received: string[] = [];
    new FrameChannel(b, (text) => received.push(text));
    const sent = ["", "short", "é€😀 ".repeat(50_000), "line\nbreaks\u0000and nul", "x".repeat(3)];
    // The frames' bytes dribble out a few at a time, then all the rest in one write.
    const bytes = Buffer.concat(sent.map((text) => {
      const body = Buffer.from(text, "utf8");
      const header = Buffer.alloc(4);
      header.writeUInt32BE(body.length);
      return Buffer.concat([header, body]);
    }));
    for (let i = 0; i < 11; i++) { a.write(bytes.subarray(i, i + 1)); await new Promise((resolve) => setTimeout(resolve, 2)); }
    a.write(bytes.subarray(11));
    const sender = new FrameChannel(a, () => undefined);
    assert.equal(sender.send("after ✓"), true);
    for (let i = 0; i < 200 && received.length < sent.length + 1; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(received, [...sent, "after ✓"]);
    a.destroy();
    b.destroy();
    assert.equal(sender.send("too late"), false);
  });
});
