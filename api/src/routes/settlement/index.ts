// Settlement API: settle a task now (release, approval or refund, whichever its live state calls for), read where its
// escrow went, prepare the funding of an escrow for a stored document, and ask when an escrow can be released.
import type { ApiApp } from "../../app.ts";
import type { ApiServices } from "../../services.ts";
import { registerEscrowRoutes } from "./escrow.ts";
import { registerSettleRoutes } from "./settle.ts";

export function registerSettlementRoutes(app: ApiApp, services: ApiServices): void {
  registerSettleRoutes(app, services);
  registerEscrowRoutes(app, services);
}
