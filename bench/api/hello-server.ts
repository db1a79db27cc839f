/**
 * A hello-world server for the framework-overhead figure, run as a child process of the benchmark:
 *
 *   node bench/api/hello-server.ts node|hono PORT
 *
 * `node` answers with a bare `node:http` handler, `hono` with a Hono app on `@hono/node-server` (the server the API
 * uses). Both send the same bytes: status 200, `content-type: text/plain; charset=UTF-8`, a 13-byte body, and nothing
 * else but the headers `node:http` adds to every response (date, connection, keep-alive, content-length).
 * Listens on 127.0.0.1 only; exits on SIGTERM or SIGINT.
 */
import { createServer, type Server } from "node:http";

import { serve } from "@hono/node-server";
import { Hono } from "hono";

const HELLO_BODY = "Hello, World!";
const HELLO_CONTENT_TYPE = "text/plain; charset=UTF-8";

const [kind, portText] = process.argv.slice(2);
const port = Number(portText);
if ((kind !== "node" && kind !== "hono") || !Number.isInteger(port) || port <= 0 || port > 65_535) {
  console.error("Usage: node bench/api/hello-server.ts node|hono PORT");
  process.exit(2);
}

let server: Server;
if (kind === "node") {
  const length = String(Buffer.byteLength(HELLO_BODY));
  server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": HELLO_CONTENT_TYPE, "content-length": length });
    response.end(HELLO_BODY);
  });
  server.listen(port, "127.0.0.1");
} else {
  const app = new Hono();
  app.get("/", (c) => c.text(HELLO_BODY));
  server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port }) as Server;
}
server.once("listening", () => console.log(`${kind} hello-world on http://127.0.0.1:${port}/`));

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
