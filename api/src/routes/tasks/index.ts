// Task API: post a task (document, commitment and the create-and-fund transaction), read one, search, and move one
// through its lifecycle. `/tasks/search` is registered before `/tasks/{id}`, which would otherwise take "search" as an id.
import type { ApiApp } from "../../app.ts";
import type { ApiServices } from "../../services.ts";
import { registerCreateTaskRoute } from "./create.ts";
import { registerTaskReadRoute } from "./read.ts";
import { registerTaskSearchRoute } from "./search.ts";
import { registerTaskStateRoute } from "./state.ts";

export function registerTaskRoutes(app: ApiApp, services: ApiServices): void {
  registerTaskSearchRoute(app, services);
  registerCreateTaskRoute(app, services);
  registerTaskReadRoute(app, services);
  registerTaskStateRoute(app, services);
}
