// The GatedClaim data source: first-come claims behind a reputation gate and dependencies. The module holds nothing
// between calls: the claim bond it takes passes straight on to the market (see `handleTaskClaimed`).
import { DependenciesMet, DependencyFailed, GateConfigPublished } from "../generated/GatedClaim/GatedClaim";
import { dependenciesMet, dependencyFailed, publishedConfig } from "./common/assignment";
import { Context } from "./common/context";

const MODE = "GatedClaim";

export function handleGateConfigPublished(event: GateConfigPublished): void {
  const ctx = new Context(event);
  const p = event.params;
  const requirements = p.config.requirements;
  publishedConfig(
    ctx,
    MODE,
    p.taskId,
    p.configHash,
    requirements.minCompleted,
    requirements.maxDisputesLostBps,
    requirements.dependencies,
  ).save();
  ctx.save();
}

export function handleGatedClaimDependenciesMet(event: DependenciesMet): void {
  dependenciesMet(new Context(event), MODE, event.params.taskId, event.params.dependencies);
}

export function handleGatedClaimDependencyFailed(event: DependencyFailed): void {
  dependencyFailed(new Context(event), MODE, event.params.taskId, event.params.dependency);
}
