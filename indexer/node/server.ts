// The node's HTTP server: GraphQL in The Graph's URL scheme (`/subgraphs/name/<name>`, `/subgraphs/id/<deployment>`,
// and `/graphql` for the one subgraph this node serves), plus `/status` for tools and tests. Requests are parsed
// defensively: a bad body is a 400 with a GraphQL-shaped error, never a crash.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import type { QueryEngine } from "./graphql/index.ts";

/** graph-node accepts large queries but nothing near this; a bigger body is refused before it is read. */
const MAX_BODY_BYTES = 1 << 20;

export interface ServerOptions {
  host: string;
  port: number;
  subgraphName: string;
  deploymentId: string;
  engine: QueryEngine;
  status: () => unknown;
}

export interface RunningServer {
  url: string;
  graphqlUrl: string;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const graphqlPaths = new Set([
    `/subgraphs/name/${options.subgraphName}`,
    `/subgraphs/name/${options.subgraphName}/graphql`,
    `/subgraphs/id/${options.deploymentId}`,
    "/graphql",
  ]);
  const server = createServer((request, response) => {
    handle(request, response, options, graphqlPaths).catch((error: unknown) => {
      if (!response.headersSent) {
        send(response, 500, { errors: [{ message: `Internal error: ${(error as Error).message}` }] });
      } else {
        response.destroy();
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await listen(server, options.host, options.port);
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host}:${port}`;
  return {
    url,
    graphqlUrl: `${url}/subgraphs/name/${options.subgraphName}`,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  options: ServerOptions,
  graphqlPaths: Set<string>,
): Promise<void> {
  const url = new URL(request.url ?? "/", "http://localhost");
  const path = url.pathname.replace(/\/+$/, "") || "/";
  response.setHeader("Access-Control-Allow-Origin", "*");
  response.setHeader("Access-Control-Allow-Headers", "Content-Type, User-Agent");
  response.setHeader("Access-Control-Allow-Methods", "GET, OPTIONS, POST");

  if (request.method === "OPTIONS") {
    response.writeHead(204).end();
    return;
  }
  if (path === "/status" && request.method === "GET") {
    send(response, 200, options.status());
    return;
  }
  if (!graphqlPaths.has(path)) {
    send(response, 404, {
      errors: [{ message: `No subgraph at ${path}. Query /subgraphs/name/${options.subgraphName} or /graphql.` }],
    });
    return;
  }

  let body: { query?: unknown; variables?: unknown; operationName?: unknown };
  if (request.method === "GET") {
    const query = url.searchParams.get("query");
    if (query === null) {
      send(response, 400, {
        errors: [{ message: 'Send a GraphQL query: POST a JSON body {"query": ...} or GET ?query=.' }],
      });
      return;
    }
    let variables: unknown;
    try {
      const text = url.searchParams.get("variables");
      variables = text ? JSON.parse(text) : undefined;
    } catch {
      send(response, 400, { errors: [{ message: "The `variables` parameter is not valid JSON." }] });
      return;
    }
    body = { query, variables, operationName: url.searchParams.get("operationName") ?? undefined };
  } else if (request.method === "POST") {
    const text = await readBody(request);
    if (text === undefined) {
      send(response, 413, { errors: [{ message: `The request body is larger than ${MAX_BODY_BYTES} bytes.` }] });
      return;
    }
    try {
      body = JSON.parse(text);
    } catch {
      send(response, 400, { errors: [{ message: "The request body is not valid JSON." }] });
      return;
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      send(response, 400, { errors: [{ message: "The request body must be a JSON object with a `query` string." }] });
      return;
    }
  } else {
    response.setHeader("Allow", "GET, POST, OPTIONS");
    send(response, 405, { errors: [{ message: `Method ${request.method} is not allowed.` }] });
    return;
  }

  const result = await options.engine.execute(body);
  // Like graph-node: a query that ran (even with errors in the result) is a 200; a query that could not be parsed
  // or validated is one too, carrying the errors.
  send(response, 200, result);
}

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers["content-length"] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      request.resume();
      resolve(undefined);
      return;
    }
    // An oversized body is drained, not kept, so that the client still gets its 413.
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on("end", () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_key, value) => (typeof value === "bigint" ? value.toString() : value));
  response.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
  });
  response.end(text);
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "EADDRINUSE"
          ? new Error(`Port ${port} on ${host} is in use: pick another with --port (or GRAPH_NODE_PORT).`)
          : error,
      );
    };
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
}
