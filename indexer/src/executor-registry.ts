// The ExecutorRegistry data source: who may execute tasks, of which kind, with which capabilities and operator.
import { Bytes } from "@graphprotocol/graph-ts";

import {
  ExecutorActivationChanged,
  ExecutorRegistered,
  ExecutorUpdated,
} from "../generated/ExecutorRegistry/ExecutorRegistry";
import { zeroAddress } from "./common/constants";
import { Context } from "./common/context";
import { executorKindName } from "./common/enums";

export function handleExecutorRegistered(event: ExecutorRegistered): void {
  const ctx = new Context(event);
  const params = event.params;
  const executor = changetype<Bytes>(params.executor);
  const kind = executorKindName(params.kind);

  const account = ctx.account(executor);
  account.isExecutor = true;
  account.executorKind = kind;
  account.active = true;
  account.capabilities = params.capabilities;
  account.metadataURI = params.metadataURI;
  account.registeredAt = ctx.timestamp;
  account.registeredAtBlock = ctx.blockNumber;
  account.profileUpdatedAt = ctx.timestamp;
  setOperator(ctx, executor, params.operator);

  const stats = ctx.stats();
  stats.executorCount += 1;
  if (kind == "Human") stats.humanExecutorCount += 1;
  else stats.agentExecutorCount += 1;
  ctx.daily().executorsRegistered += 1;
  ctx.save();
}

export function handleExecutorUpdated(event: ExecutorUpdated): void {
  const ctx = new Context(event);
  const params = event.params;
  const executor = changetype<Bytes>(params.executor);
  const account = ctx.account(executor);
  account.capabilities = params.capabilities;
  account.metadataURI = params.metadataURI;
  account.profileUpdatedAt = ctx.timestamp;
  setOperator(ctx, executor, params.operator);
  ctx.save();
}

export function handleExecutorActivationChanged(event: ExecutorActivationChanged): void {
  const ctx = new Context(event);
  const account = ctx.account(event.params.executor);
  account.active = event.params.active;
  account.profileUpdatedAt = ctx.timestamp;
  ctx.save();
}

/** The operator an agent answers to (a human may name one too); zero for none. */
function setOperator(ctx: Context, executor: Bytes, operator: Bytes): void {
  const account = ctx.account(executor);
  if (operator == zeroAddress()) {
    account.operator = null;
    return;
  }
  ctx.account(operator);
  account.operator = operator;
}
