// Reputation API: an account's score with the inputs it is computed from, its history of reputation events, and the
// leaderboard. `/reputation/leaderboard` is registered before `/reputation/{id}`, which would otherwise take
// "leaderboard" as an id.
import type { ApiApp } from "../../app.ts";
import type { ApiServices } from "../../services.ts";
import { registerReputationHistoryRoute } from "./history.ts";
import { registerLeaderboardRoute } from "./leaderboard.ts";
import { registerReputationReadRoute } from "./read.ts";

export function registerReputationRoutes(app: ApiApp, services: ApiServices): void {
  registerLeaderboardRoute(app, services);
  registerReputationReadRoute(app, services);
  registerReputationHistoryRoute(app, services);
}
