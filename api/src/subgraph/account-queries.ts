// Accounts as the indexer has them (executor profile, the market's records, the reputation score and its inputs, the
// per-token figures) and their reputation history, with the API's JSON for each. The score itself is the indexer's
// (docs/subgraph.md, "Reputation score"); the API reports it with the inputs it was computed from.
import { z } from "@hono/zod-openapi";

import type { IndexedBlock, SubgraphClient } from "./subgraph-client.ts";
import { AddressJson, AmountJson, BytesJson, ExecutorKindNameSchema, TimeJson } from "./task-views.ts";
import { addressOrNull, checksum, hex, refId, toNumber, toNumberOrNull, type Ref } from "./values.ts";

/** The score's parameters, as indexer/src/common/constants.ts sets them (weights in millionths of a typical task). */
export const REPUTATION_PARAMETERS = {
  weightUnit: 1_000_000,
  maxOutcomeWeight: 5_000_000,
  priorWeight: 3_000_000,
  priorMeanBps: 5_000,
  disputeLossPenaltyBps: 10_000,
} as const;

export const REPUTATION_FORMULA =
  "scoreBps = floor((S + priorWeight × priorMeanBps / 10,000) × 10,000 / (S + F + P + priorWeight))";

const EXECUTOR_RECORD_FIELDS = "completed expired rejected disputesWon disputesLost ratingSum ratingCount";
const POSTER_RECORD_FIELDS = "posted settled cancelled expired ratingSum ratingCount";
const REPUTATION_FIELDS = `
  reputationScore reputationScoreBps reputationSuccessWeight reputationFailureWeight reputationPenaltyWeight
  reputationOutcomes executorRating posterRating`;

export interface IndexedExecutorRecord {
  completed: number;
  expired: number;
  rejected: number;
  disputesWon: number;
  disputesLost: number;
  ratingSum: number;
  ratingCount: number;
}

export interface IndexedPosterRecord {
  posted: number;
  settled: number;
  cancelled: number;
  expired: number;
  ratingSum: number;
  ratingCount: number;
}

interface IndexedReputation {
  reputationScore: string;
  reputationScoreBps: number;
  reputationSuccessWeight: string;
  reputationFailureWeight: string;
  reputationPenaltyWeight: string;
  reputationOutcomes: number;
  executorRating: string | null;
  posterRating: string | null;
}

/** What every account read selects: enough to rank it and to judge it as an executor. */
const ACCOUNT_CORE_FIELDS = `
  id isExecutor executorKind active
  executorRecord { ${EXECUTOR_RECORD_FIELDS} }
  posterRecord { ${POSTER_RECORD_FIELDS} }
  ${REPUTATION_FIELDS}`;

export interface IndexedAccountCore extends IndexedReputation {
  id: string;
  isExecutor: boolean;
  executorKind: "Any" | "Human" | "Agent";
  active: boolean;
  executorRecord: IndexedExecutorRecord;
  posterRecord: IndexedPosterRecord;
}

const TOKEN_FIELDS = `
  token { id } earned valueSettledAsExecutor feesPaidAsExecutor escrowedAsPoster paidAsPoster refundedAsPoster
  bondsLocked bondsForfeited bondsReturned bondsReceived verifierFeesEarned`;

const ACCOUNT_PROFILE_FIELDS = `
  ${ACCOUNT_CORE_FIELDS}
  operator { id } capabilities metadataURI registeredAt registeredAtBlock profileUpdatedAt
  agents(first: 1000, orderBy: id) { id }
  tasksClaimed submissionCount disputesAsClaimant disputesAsRespondent attestationCount votesCast
  tokens(first: 1000, orderBy: id) { ${TOKEN_FIELDS} }
  firstSeenAt firstSeenAtBlock updatedAt`;

interface IndexedAccountToken {
  token: Ref;
  earned: string;
  valueSettledAsExecutor: string;
  feesPaidAsExecutor: string;
  escrowedAsPoster: string;
  paidAsPoster: string;
  refundedAsPoster: string;
  bondsLocked: string;
  bondsForfeited: string;
  bondsReturned: string;
  bondsReceived: string;
  verifierFeesEarned: string;
}

export interface IndexedAccountProfile extends IndexedAccountCore {
  operator: Ref | null;
  capabilities: string[];
  metadataURI: string | null;
  registeredAt: string | null;
  registeredAtBlock: string | null;
  profileUpdatedAt: string | null;
  agents: Ref[];
  tasksClaimed: number;
  submissionCount: number;
  disputesAsClaimant: number;
  disputesAsRespondent: number;
  attestationCount: number;
  votesCast: number;
  tokens: IndexedAccountToken[];
  firstSeenAt: string;
  firstSeenAtBlock: string;
  updatedAt: string;
}

/** What deciding whether an executor qualifies for a task needs. */
export interface IndexedExecutorStanding {
  id: string;
  isExecutor: boolean;
  executorKind: "Any" | "Human" | "Agent";
  active: boolean;
  operator: Ref | null;
  capabilities: string[];
  executorRecord: IndexedExecutorRecord;
}

/** Account ids are the address in lower-case hex. */
export function accountId(address: string): string {
  return address.toLowerCase();
}

export async function fetchAccountProfile(
  subgraph: SubgraphClient,
  address: string,
): Promise<{ account: IndexedAccountProfile | null; block: IndexedBlock }> {
  const answer = await subgraph.query<{ account: IndexedAccountProfile | null }>(
    `account(id: $id) { ${ACCOUNT_PROFILE_FIELDS} }`,
    { id: accountId(address) },
    "($id: ID!)",
  );
  return { account: answer.data.account, block: answer.block };
}

export async function fetchAccountCore(
  subgraph: SubgraphClient,
  address: string,
): Promise<{ account: IndexedAccountCore | null; block: IndexedBlock }> {
  const answer = await subgraph.query<{ account: IndexedAccountCore | null }>(
    `account(id: $id) { ${ACCOUNT_CORE_FIELDS} }`,
    { id: accountId(address) },
    "($id: ID!)",
  );
  return { account: answer.data.account, block: answer.block };
}

export async function fetchExecutorStanding(
  subgraph: SubgraphClient,
  address: string,
): Promise<{ account: IndexedExecutorStanding | null; block: IndexedBlock }> {
  const answer = await subgraph.query<{ account: IndexedExecutorStanding | null }>(
    `account(id: $id) { id isExecutor executorKind active operator { id } capabilities
       executorRecord { ${EXECUTOR_RECORD_FIELDS} } }`,
    { id: accountId(address) },
    "($id: ID!)",
  );
  return { account: answer.data.account, block: answer.block };
}

export type LeaderboardRole = "executor" | "poster";

/**
 * Accounts ranked: executors by reputation score; posters (accounts that posted a task) by how many of their tasks
 * were settled. Ties go to the higher account id, the indexer's tie-break in a descending order.
 */
export async function fetchLeaderboard(
  subgraph: SubgraphClient,
  request: { role: LeaderboardRole; kind?: "Human" | "Agent"; first: number; skip: number },
): Promise<{ accounts: IndexedAccountCore[]; block: IndexedBlock }> {
  const where =
    request.role === "executor"
      ? { isExecutor: true, ...(request.kind === undefined ? {} : { executorKind: request.kind }) }
      : { posterRecord_: { posted_gt: 0 } };
  const orderBy = request.role === "executor" ? "reputationScoreBps" : "posterRecord__settled";
  const answer = await subgraph.query<{ accounts: IndexedAccountCore[] }>(
    `accounts(where: $where, orderBy: ${orderBy}, orderDirection: desc, first: $first, skip: $skip) {
       ${ACCOUNT_CORE_FIELDS} }`,
    { where, first: request.first, skip: request.skip },
    "($where: Account_filter!, $first: Int!, $skip: Int!)",
  );
  return { accounts: answer.data.accounts, block: answer.block };
}

export const REPUTATION_EVENT_KINDS = [
  "Completed",
  "MilestoneSettled",
  "SettledWithoutPayout",
  "ClaimExpired",
  "ClaimRejected",
  "DisputeWon",
  "DisputeLost",
  "RatedAsExecutor",
  "RatedAsPoster",
  "TaskPosted",
  "TaskSettledAsPoster",
  "TaskCancelledAsPoster",
  "TaskExpiredAsPoster",
] as const;
export type ReputationEventKind = (typeof REPUTATION_EVENT_KINDS)[number];

interface IndexedReputationEvent {
  id: string;
  kind: ReputationEventKind;
  task: Ref | null;
  weight: string;
  value: number;
  scoreBpsBefore: number;
  scoreBpsAfter: number;
  timestamp: string;
  blockNumber: string;
  transaction: string;
}

/** An account's reputation events, newest first (their ids sort in chain order), with whether the account exists. */
export async function fetchReputationHistory(
  subgraph: SubgraphClient,
  request: { address: string; kinds?: readonly ReputationEventKind[]; first: number; skip: number },
): Promise<{ exists: boolean; events: IndexedReputationEvent[]; block: IndexedBlock }> {
  const id = accountId(request.address);
  const where = { account: id, ...(request.kinds === undefined ? {} : { kind_in: request.kinds }) };
  const answer = await subgraph.query<{ account: Ref | null; reputationEvents: IndexedReputationEvent[] }>(
    `account(id: $id) { id }
     reputationEvents(where: $where, orderBy: id, orderDirection: desc, first: $first, skip: $skip) {
       id kind task { id } weight value scoreBpsBefore scoreBpsAfter timestamp blockNumber transaction }`,
    { id, where, first: request.first, skip: request.skip },
    "($id: ID!, $where: ReputationEvent_filter!, $first: Int!, $skip: Int!)",
  );
  return { exists: answer.data.account !== null, events: answer.data.reputationEvents, block: answer.block };
}

// ---------------------------------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------------------------------

export const ExecutorRecordSchema = z
  .object({
    completed: z.number().int(),
    expired: z.number().int(),
    rejected: z.number().int(),
    disputesWon: z.number().int(),
    disputesLost: z.number().int(),
    ratingSum: z.number().int(),
    ratingCount: z.number().int(),
  })
  .openapi("ExecutorRecord", { description: "`executorRecordOf`, field for field." });

export const PosterRecordSchema = z
  .object({
    posted: z.number().int(),
    settled: z.number().int(),
    cancelled: z.number().int(),
    expired: z.number().int(),
    ratingSum: z.number().int(),
    ratingCount: z.number().int(),
  })
  .openapi("PosterRecord", { description: "`posterRecordOf`, field for field." });

const Decimal = z.string().openapi({ description: "A decimal number.", example: "0.625" });

export const ReputationFiguresSchema = z
  .object({
    score: Decimal.openapi({ description: "The executor score from 0 to 1." }),
    scoreBps: z.number().int().openapi({ description: "The same score in basis points, 0 to 10,000." }),
    successWeight: z.string().openapi({ description: "S: what went right, in millionths of a typical task." }),
    failureWeight: z.string().openapi({ description: "F: what went wrong, in millionths of a typical task." }),
    penaltyWeight: z
      .string()
      .openapi({ description: "P: penalties for disputes lost, in millionths of a typical task." }),
    outcomes: z.number().int().openapi({ description: "Outcomes that entered the score." }),
    executorRating: Decimal.nullable().openapi({ description: "The average rating received as an executor (1–5)." }),
    posterRating: Decimal.nullable().openapi({ description: "The average rating received as a poster (1–5)." }),
  })
  .openapi("ReputationFigures");

export function toReputationFigures(account: IndexedReputation): z.infer<typeof ReputationFiguresSchema> {
  return {
    score: account.reputationScore,
    scoreBps: account.reputationScoreBps,
    successWeight: account.reputationSuccessWeight,
    failureWeight: account.reputationFailureWeight,
    penaltyWeight: account.reputationPenaltyWeight,
    outcomes: account.reputationOutcomes,
    executorRating: account.executorRating,
    posterRating: account.posterRating,
  };
}

/** The executor's registration: null for an account that never registered in the `ExecutorRegistry`. */
export const ExecutorProfileSchema = z
  .object({
    kind: ExecutorKindNameSchema,
    operator: AddressJson.nullable().openapi({ description: "The person or organisation accountable for an agent." }),
    capabilities: z.array(BytesJson).openapi({ description: "The capability ids it declared, in the order declared." }),
    metadataURI: z.string().nullable(),
    active: z.boolean().openapi({ description: "Whether it may claim tasks (an inactive executor keeps its claims)." }),
    registeredAt: TimeJson,
    registeredAtBlock: z.number().int(),
    profileUpdatedAt: TimeJson.nullable(),
  })
  .openapi("ExecutorProfile");

const AccountTokenSchema = z
  .object({
    token: AddressJson.openapi({ description: "The zero address for ETH." }),
    earned: AmountJson.openapi({ description: "`earnedOf`: paid as an executor, net of fees." }),
    valueSettledAsExecutor: AmountJson,
    feesPaidAsExecutor: AmountJson,
    escrowedAsPoster: AmountJson,
    paidAsPoster: AmountJson,
    refundedAsPoster: AmountJson,
    bondsLocked: AmountJson,
    bondsForfeited: AmountJson,
    bondsReturned: AmountJson,
    bondsReceived: AmountJson,
    verifierFeesEarned: AmountJson,
  })
  .openapi("AccountToken");

export const AccountProfileSchema = z
  .object({
    id: AddressJson,
    executor: ExecutorProfileSchema.nullable(),
    agents: z.array(AddressJson).openapi({ description: "The agents that name this account as their operator." }),
    executorRecord: ExecutorRecordSchema,
    posterRecord: PosterRecordSchema,
    reputation: ReputationFiguresSchema,
    activity: z.object({
      tasksClaimed: z.number().int(),
      submissionCount: z.number().int(),
      disputesAsClaimant: z.number().int(),
      disputesAsRespondent: z.number().int(),
      attestationCount: z.number().int(),
      votesCast: z.number().int(),
    }),
    tokens: z.array(AccountTokenSchema),
    firstSeenAt: TimeJson,
    firstSeenAtBlock: z.number().int(),
    updatedAt: TimeJson,
  })
  .openapi("AccountProfile");
export type AccountProfile = z.infer<typeof AccountProfileSchema>;

export function toExecutorRecord(record: IndexedExecutorRecord): z.infer<typeof ExecutorRecordSchema> {
  return {
    completed: record.completed,
    expired: record.expired,
    rejected: record.rejected,
    disputesWon: record.disputesWon,
    disputesLost: record.disputesLost,
    ratingSum: record.ratingSum,
    ratingCount: record.ratingCount,
  };
}

export function toPosterRecord(record: IndexedPosterRecord): z.infer<typeof PosterRecordSchema> {
  return {
    posted: record.posted,
    settled: record.settled,
    cancelled: record.cancelled,
    expired: record.expired,
    ratingSum: record.ratingSum,
    ratingCount: record.ratingCount,
  };
}

export function toAccountProfile(account: IndexedAccountProfile): AccountProfile {
  return {
    id: checksum(account.id),
    executor: account.isExecutor
      ? {
          kind: account.executorKind,
          operator: addressOrNull(refId(account.operator)),
          capabilities: account.capabilities.map(hex),
          metadataURI: account.metadataURI,
          active: account.active,
          registeredAt: toNumber(account.registeredAt ?? 0),
          registeredAtBlock: toNumber(account.registeredAtBlock ?? 0),
          profileUpdatedAt: toNumberOrNull(account.profileUpdatedAt),
        }
      : null,
    agents: account.agents.map((agent) => checksum(agent.id)),
    executorRecord: toExecutorRecord(account.executorRecord),
    posterRecord: toPosterRecord(account.posterRecord),
    reputation: toReputationFigures(account),
    activity: {
      tasksClaimed: account.tasksClaimed,
      submissionCount: account.submissionCount,
      disputesAsClaimant: account.disputesAsClaimant,
      disputesAsRespondent: account.disputesAsRespondent,
      attestationCount: account.attestationCount,
      votesCast: account.votesCast,
    },
    tokens: account.tokens.map(({ token, ...figures }) => ({ token: checksum(token.id), ...figures })),
    firstSeenAt: toNumber(account.firstSeenAt),
    firstSeenAtBlock: toNumber(account.firstSeenAtBlock),
    updatedAt: toNumber(account.updatedAt),
  };
}

export const ReputationEventSchema = z
  .object({
    id: BytesJson.openapi({ description: "Block number, log index and sequence: sorts in chain order." }),
    kind: z.enum(REPUTATION_EVENT_KINDS),
    task: z.string().nullable(),
    weight: z.string().openapi({ description: "The outcome's weight, in millionths of a typical task of its token." }),
    value: z.number().int().openapi({ description: "The executor's share in basis points, or the rating given." }),
    scoreBpsBefore: z.number().int(),
    scoreBpsAfter: z.number().int(),
    timestamp: TimeJson,
    blockNumber: z.number().int(),
    transaction: BytesJson,
  })
  .openapi("ReputationEvent");

export function toReputationEvent(event: IndexedReputationEvent): z.infer<typeof ReputationEventSchema> {
  return {
    id: hex(event.id),
    kind: event.kind,
    task: refId(event.task),
    weight: event.weight,
    value: event.value,
    scoreBpsBefore: event.scoreBpsBefore,
    scoreBpsAfter: event.scoreBpsAfter,
    timestamp: toNumber(event.timestamp),
    blockNumber: toNumber(event.blockNumber),
    transaction: hex(event.transaction),
  };
}
