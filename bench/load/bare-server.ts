/**
 * The baseline of bench/load: a bare node:http server in its own process, answering what the
 * platform answers (a chat turn's JSON, a webhook's EVENT_RECEIVED) with no work behind it, so the
 * load generator meets both servers under the same conditions. Prints `READY <url>`.
 */
import http from "node:http";

const turn = JSON.stringify({ messages: [{ type: "text", text: "You said hello" }], input: { type: "text" }, status: "active", revision: 2, ctas: [] });

const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    if (req.url?.includes("/webhook")) {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("EVENT_RECEIVED");
      return;
    }
    res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
    res.end(turn);
  });
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`READY http://127.0.0.1:${(server.address() as { port: number }).port}\n`);
});
process.once("SIGTERM", () => server.close(() => process.exit(0)));
