// Serves the API over HTTP with @hono/node-server, on 127.0.0.1 unless configured otherwise, and stops it cleanly:
// the listening socket first, then the services under it.
import type { AddressInfo } from "node:net";

import { serve, type ServerType } from "@hono/node-server";

import { createApp, type ApiApp } from "./app.ts";
import type { ApiConfig } from "./config.ts";
import { openServices, type ApiServices, type OpenServicesOptions } from "./services.ts";

export interface RunningApi {
  url: string;
  app: ApiApp;
  services: ApiServices;
  stop(): Promise<void>;
}

/** Serves `services` on `host:port` (port 0 picks a free one). */
export async function serveApi(services: ApiServices, options: { host: string; port: number }): Promise<RunningApi> {
  const app = createApp(services);
  const server = await new Promise<ServerType>((resolve, reject) => {
    const started = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, () => resolve(started));
    started.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    app,
    services,
    stop: () =>
      (stopping ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Keep-alive connections would hold close() open until they time out.
          (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        });
        await services.close();
      })()),
  };
}

/** Opens the services of `config` and serves them. */
export async function startApi(config: ApiConfig, options: OpenServicesOptions = {}): Promise<RunningApi> {
  const services = await openServices(config, options);
  try {
    return await serveApi(services, { host: config.host, port: config.port });
  } catch (error) {
    await services.close().catch(() => undefined);
    throw error;
  }
}
