// What the three assignment modules (gated claims, applications, reverse auctions) share: their published
// configurations, the task graph's dependency edges, and which module a task's assigner turned out to be.
import { BigInt, Bytes, log } from "@graphprotocol/graph-ts";

import { AssignmentConfig, Task, TaskDependency } from "../../generated/schema";
import { Context } from "./context";
import { dependencyKey, taskKey } from "./ids";

/** The module's events about the task tell which module its assigner is. */
export function markAssignedBy(ctx: Context, task: Task, mode: string): void {
  if (task.assigner.equals(ctx.contract)) task.assignmentMode = mode;
}

function dependencyEdge(taskId: BigInt, dependency: BigInt, index: i32): TaskDependency {
  const id = dependencyKey(taskId, dependency);
  let edge = TaskDependency.load(id);
  if (edge === null) {
    // A dependency is an earlier task (`_checkRequirements`): the indexer must have it.
    if (Task.load(taskKey(dependency)) === null) {
      log.critical("Task {} depends on task {}, which is not indexed.", [taskId.toString(), dependency.toString()]);
    }
    edge = new TaskDependency(id);
    edge.task = taskKey(taskId);
    edge.dependency = taskKey(dependency);
    edge.index = index;
    edge.met = false;
    edge.failed = false;
  }
  return edge;
}

/**
 * The part of a `*ConfigPublished` event every module shares: the reputation gate and the dependencies. Returns the
 * configuration for the module to add its own fields and save.
 */
export function publishedConfig(
  ctx: Context,
  mode: string,
  taskId: BigInt,
  configHash: Bytes,
  minCompleted: BigInt,
  maxDisputesLostBps: i32,
  dependencies: BigInt[],
): AssignmentConfig {
  const task = ctx.task(taskId);
  markAssignedBy(ctx, task, mode);
  const config = new AssignmentConfig(task.id);
  config.task = task.id;
  config.module = ctx.contract;
  config.mode = mode;
  config.configHash = configHash;
  config.minCompleted = minCompleted;
  config.maxDisputesLostBps = maxDisputesLostBps;
  config.dependencyIds = dependencies;
  config.publishedAt = ctx.timestamp;
  task.assignmentConfig = config.id;
  for (let index = 0; index < dependencies.length; index++) {
    dependencyEdge(taskId, dependencies[index], index).save();
  }
  return config;
}

/** Emitted when the task is given out: every dependency was `Verified` or `Settled`. */
export function dependenciesMet(ctx: Context, mode: string, taskId: BigInt, dependencies: BigInt[]): void {
  const task = ctx.task(taskId);
  markAssignedBy(ctx, task, mode);
  for (let index = 0; index < dependencies.length; index++) {
    const edge = dependencyEdge(taskId, dependencies[index], index);
    edge.met = true;
    edge.metAt = ctx.timestamp;
    edge.save();
  }
  ctx.save();
}

/** The task is being cancelled (the market's `TaskCancelled` follows) because `dependency` was cancelled or expired. */
export function dependencyFailed(ctx: Context, mode: string, taskId: BigInt, dependency: BigInt): void {
  const task = ctx.task(taskId);
  markAssignedBy(ctx, task, mode);
  const config = AssignmentConfig.load(task.id);
  let index = -1;
  if (config !== null) {
    const ids = config.dependencyIds;
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] == dependency) index = i;
    }
  }
  const edge = dependencyEdge(taskId, dependency, index);
  edge.failed = true;
  edge.failedAt = ctx.timestamp;
  edge.save();
  ctx.save();
}
