// Agent API: register an executor (a person or an agent), read its profile and record, claim a task for it, and list
// its tasks or the open tasks it qualifies for.
import type { ApiApp } from "../../app.ts";
import type { ApiServices } from "../../services.ts";
import { registerAgentClaimRoute } from "./claim.ts";
import { registerAgentReadRoute } from "./read.ts";
import { registerAgentRegisterRoute } from "./register.ts";
import { registerAgentTasksRoute } from "./tasks.ts";

export function registerAgentRoutes(app: ApiApp, services: ApiServices): void {
  registerAgentRegisterRoute(app, services);
  registerAgentReadRoute(app, services);
  registerAgentClaimRoute(app, services);
  registerAgentTasksRoute(app, services);
}
