/**
 * The reconciliation: every task, every account and the payment ledger as the indexer reports them, compared with the
 * state read from the chain through the contracts' views and balances.
 *
 * - Tasks 1..taskCount: the terms (checked against the market's commitment with `matchesTerms`), `optionsOf`,
 *   `stateOf` (status, executor, deadlines, flags), `progressOf`, `fundingOf`, `parentOf`, `submissionOf`,
 *   `unpaidRewardOf`, the escrow the market still holds for the task, and each module's contest on it (`contestOf`).
 * - Accounts (every participant, and every account the indexer knows): `executorRecordOf`, `posterRecordOf`,
 *   `earnedOf` per token, the registry's profile and capabilities, every pull-payment credit in every contract that
 *   keeps them, verifier-set memberships and bonds, applications' and bids' deposits, the panel's disputes.
 * - Money: for every account and token, the indexer's payments in minus out equal the balance change over the
 *   scenario; the market's balance per token equals the indexed escrow of live tasks plus locked bonds, credits and
 *   accrued fees; each module's balance equals the deposits, bonds and credits the indexer says it holds.
 */
import { getAddress } from "viem";
import type { Address, Hex } from "viem";

import { taskStatusName } from "../../../../src/protocol/terms.ts";
import { ETH, hashCapabilities, unpackMilestoneShares, type TaskTerms } from "../../helpers/protocol.js";
import { Discrepancies, canonical } from "./discrepancies.js";
import { FLAG_NAMES, SELECTIONS } from "./selections.js";
import { amountIn, balanceChange, indexedNetFlows, scanTransactions } from "./ledger.js";
import type { ScenarioResult } from "./index.js";
import type { SubgraphClient, Row } from "./subgraph-client.js";

const EXECUTOR_KIND = ["Any", "Human", "Agent"];
const CONTEST_PHASE = ["None", "Open", "AwaitingRespondent", "Arbitrating", "Ruled"];
const BID_STATUS = ["None", "Committed", "Placed", "Forfeited", "Withdrawn", "Awarded"];
const AUCTION_OUTCOME = ["None", "Awarded", "Cancelled"];
/** Stored statuses in which the market holds the claim bond of the current claim. */
const HOLDS_BOND = new Set(["Claimed", "InProgress", "Submitted", "Disputed"]);
const FINAL = new Set(["Settled", "Cancelled", "Expired"]);

const FLAG_VERIFIER_PAID = 1 << 6;

const ZERO_HASH: Hex = `0x${"0".repeat(64)}`;

/** A nullable address: the zero address reads as null. */
function orNull(address: Address | string): string | null {
  return BigInt(address) === 0n ? null : address.toLowerCase();
}

function addressOf(row: unknown): Address | null {
  if (row === null || row === undefined) return null;
  const id = typeof row === "string" ? row : (row as { id?: unknown }).id;
  return typeof id === "string" ? getAddress(id) : null;
}

export interface ReconciliationSummary {
  tasks: number;
  accounts: number;
  payments: number;
  transactions: number;
  comparisons: number;
}

export async function reconcile(
  result: ScenarioResult,
  subgraph: SubgraphClient,
  report: Discrepancies,
): Promise<ReconciliationSummary> {
  const { scenario, tasks, tokens, startBlock, endBlock } = result;
  const { chain, c } = scenario;
  const client = chain.publicClient;
  const market = c.taskMarket;
  const block = { blockNumber: endBlock };
  const read = <T>(promise: Promise<unknown>) => promise as Promise<T>;

  /* ---------------------------------------------------------------------------------------------------------- */
  /*                                                   Tasks                                                     */
  /* ---------------------------------------------------------------------------------------------------------- */

  const indexedTasks = new Map((await subgraph.all("tasks", SELECTIONS.tasks)).map((row) => [row.id as string, row]));
  const taskCount = Number(((await read<bigint>(market.read.nextTaskId(block))) as bigint) - 1n);
  for (const id of indexedTasks.keys()) {
    if (!(Number(id) >= 1 && Number(id) <= taskCount)) report.unexpected("Task", id, "a task the market never created");
  }
  /** What the market holds per token for live tasks (reward part and unearned fee) and in locked bonds. */
  const chainEscrow = new Map<Address, bigint>();
  const chainBonds = new Map<Address, bigint>();
  const indexedBonds = new Map<Address, bigint>();
  const moduleTasks: { taskId: bigint; module: Address; row: Row | undefined }[] = [];

  for (const task of tasks) {
    const id = task.taskId.toString();
    const row = indexedTasks.get(id) ?? null;
    const { taskId, terms } = task;
    const [state, options, funding, link, progress, submission] = await Promise.all([
      read<{ executor: Address; status: number; executionDeadline: number; reviewDeadline: number; flags: number }>(
        market.read.stateOf([taskId], block),
      ),
      read<{ assigner: Address; subtaskBudget: bigint; assignerConfigHash: Hex }>(
        market.read.optionsOf([taskId], block),
      ),
      read<{ released: bigint; drawn: bigint; openSubtasks: number }>(market.read.fundingOf([taskId], block)),
      read<{ parentId: bigint; parentPoster: Address; depth: number }>(market.read.parentOf([taskId], block)),
      read<readonly [number, number, number]>(market.read.progressOf([taskId], block)),
      read<Hex>(market.read.submissionOf([taskId], block)),
    ]);
    const unpaidReward = await read<bigint>(market.read.unpaidRewardOf([taskId, terms], block));
    const status = taskStatusName(state.status);
    const feeUnpaid = (state.flags & FLAG_VERIFIER_PAID) === 0 ? terms.verifierFee : 0n;
    const escrowRemaining = FINAL.has(status) ? 0n : unpaidReward + feeUnpaid;
    chainEscrow.set(terms.token, (chainEscrow.get(terms.token) ?? 0n) + escrowRemaining);
    if (HOLDS_BOND.has(status)) chainBonds.set(terms.token, (chainBonds.get(terms.token) ?? 0n) + terms.claimBond);

    const expected: Record<string, unknown> = {
      taskId,
      poster: terms.poster,
      token: terms.token,
      reward: terms.reward,
      claimBond: terms.claimBond,
      claimDeadline: terms.claimDeadline,
      executionWindow: terms.executionWindow,
      reviewWindow: terms.reviewWindow,
      feeBps: terms.feeBps,
      executorKind: EXECUTOR_KIND[terms.executorKind],
      verifier: terms.verifier,
      verifierFee: terms.verifierFee,
      verifierConfigHash: terms.verifierConfigHash,
      capabilitiesHash: terms.capabilitiesHash,
      documentHash: terms.documentHash,
      milestoneShares: terms.milestoneShares,
      milestoneSharesBps: unpackMilestoneShares(terms.milestoneShares),
      capabilities: task.capabilities,
      documentURI: task.documentURI,
      assigner: options.assigner,
      subtaskBudget: options.subtaskBudget,
      assignerConfigHash: options.assignerConfigHash,
      status,
      executor: orNull(state.executor),
      executionDeadline: state.executionDeadline,
      reviewDeadline: state.reviewDeadline,
      flags: state.flags,
      ...Object.fromEntries(FLAG_NAMES.map((name, bit) => [name, (state.flags & (1 << bit)) !== 0])),
      milestonesVerified: progress[0],
      heldAt: progress[1],
      holdShareBps: progress[2],
      released: funding.released,
      drawn: funding.drawn,
      openSubtasks: funding.openSubtasks,
      parent: link.parentId === 0n ? null : link.parentId.toString(),
      parentPoster: orNull(link.parentPoster),
      depth: link.depth,
      submissionHash: submission,
      unpaidReward,
      price: terms.reward - funding.released,
      escrowRemaining,
    };
    report.compareFields("Task", id, expected, row);
    if (row === null) continue;

    // The indexed terms must be the very terms the market committed to.
    const indexedTerms: TaskTerms = {
      poster: getAddress((row.poster as { id: string }).id),
      token: getAddress(row.token as string),
      reward: BigInt(row.reward as string),
      claimBond: BigInt(row.claimBond as string),
      claimDeadline: Number(row.claimDeadline),
      executionWindow: Number(row.executionWindow),
      reviewWindow: Number(row.reviewWindow),
      feeBps: Number(row.feeBps),
      executorKind: EXECUTOR_KIND.indexOf(row.executorKind as string) as TaskTerms["executorKind"],
      verifier: getAddress(row.verifier as string),
      verifierFee: BigInt(row.verifierFee as string),
      verifierConfigHash: row.verifierConfigHash as Hex,
      capabilitiesHash: row.capabilitiesHash as Hex,
      documentHash: row.documentHash as Hex,
      milestoneShares: row.milestoneShares as Hex,
    };
    report.compare(
      "Task",
      id,
      "terms (matchesTerms)",
      true,
      await market.read.matchesTerms([taskId, indexedTerms], block),
    );
    report.compare(
      "Task",
      id,
      "keccak256(capabilities)",
      terms.capabilitiesHash,
      hashCapabilities(row.capabilities as Hex[]),
    );
    report.compare(
      "Task",
      id,
      "executorRating set ⇔ posterRated",
      (state.flags & (1 << 3)) !== 0,
      row.executorRating !== null,
    );
    report.compare(
      "Task",
      id,
      "posterRating set ⇔ executorRated",
      (state.flags & (1 << 4)) !== 0,
      row.posterRating !== null,
    );
    const indexedStatus = row.status as string;
    if (HOLDS_BOND.has(indexedStatus)) {
      const token = getAddress(row.token as string);
      indexedBonds.set(token, (indexedBonds.get(token) ?? 0n) + BigInt(row.claimBond as string));
    }
    const verifier = getAddress(terms.verifier);
    if ([c.reviewModule.address, c.attestationModule.address, c.optimisticModule.address].includes(verifier)) {
      moduleTasks.push({ taskId, module: verifier, row });
    }
  }

  /* Contests in the disputable modules. */
  const modules = {
    [c.reviewModule.address]: c.reviewModule,
    [c.attestationModule.address]: c.attestationModule,
    [c.optimisticModule.address]: c.optimisticModule,
  } as Record<Address, typeof c.reviewModule>;
  for (const { taskId, module, row } of moduleTasks) {
    const contest = await read<{
      phase: number;
      rejection: boolean;
      claimantForExecutor: boolean;
      decisionShareBps: number;
      rulingShareBps: number;
      deadline: number;
      claimant: Address;
      respondent: Address;
      arbitrator: Address;
      arbitratorDisputeId: bigint;
      claimantFee: bigint;
      bond: bigint;
    }>(modules[module]!.read.contestOf([taskId], block));
    const current = (row?.currentDispute ?? null) as Row | null;
    const id = `${taskId} (${scenario.task(taskId).label})`;
    if (contest.phase === 0) {
      if (current !== null && current.phase !== "Ended") {
        report.unexpected("Task.currentDispute", id, `a contest in phase ${String(current.phase)}, none on chain`);
      }
      continue;
    }
    const phase = CONTEST_PHASE[contest.phase]!;
    const raised = contest.phase >= 2;
    report.compareFields(
      "Dispute",
      `${id} (contestOf)`,
      {
        module,
        phase,
        rejection: contest.rejection,
        decisionShareBps: contest.decisionShareBps,
        deadline: contest.deadline,
        ...(raised
          ? {
              claimantForExecutor: contest.claimantForExecutor,
              claimant: contest.claimant,
              respondent: contest.respondent,
              arbitrator: contest.arbitrator,
              claimantFee: contest.claimantFee,
              bond: contest.bond,
            }
          : {}),
        ...(contest.phase >= 3 ? { arbitratorDisputeId: contest.arbitratorDisputeId } : {}),
        ...(contest.phase === 4 ? { rulingShareBps: contest.rulingShareBps } : {}),
      },
      current,
    );
  }

  /* ---------------------------------------------------------------------------------------------------------- */
  /*                                                 Accounts                                                    */
  /* ---------------------------------------------------------------------------------------------------------- */

  const indexedAccounts = new Map(
    (await subgraph.all("accounts", SELECTIONS.accounts)).map((row) => [getAddress(row.id as string), row]),
  );
  const everyone = new Set<Address>([...result.accounts.keys(), ...indexedAccounts.keys()]);
  const registry = c.executorRegistry;
  const nameOf = (account: Address) =>
    `${account.toLowerCase()}${result.accounts.has(account) ? ` (${result.accounts.get(account)})` : ""}`;

  const indexedAccountTokens = new Map(
    (await subgraph.all("accountTokens", SELECTIONS.accountTokens)).map((row) => [
      `${addressOf(row.account)}:${addressOf(row.token)}`,
      row,
    ]),
  );
  const earnedTotals = new Map<Address, bigint>();
  /** `earnedOf` of every account and token where it is not zero, keyed `account:token`. */
  const chainEarned = new Map<string, bigint>();

  for (const account of everyone) {
    const row = indexedAccounts.get(account) ?? null;
    const [executorRecord, posterRecord, profile, capabilities] = await Promise.all([
      read<Record<string, number>>(market.read.executorRecordOf([account], block)),
      read<Record<string, number>>(market.read.posterRecordOf([account], block)),
      read<{ kind: number; active: boolean; registeredAt: number; operator: Address }>(
        registry.read.profileOf([account], block),
      ),
      read<readonly Hex[]>(registry.read.capabilitiesOf([account], block)),
    ]);
    const registered = profile.registeredAt !== 0;
    const chainSide = {
      isExecutor: registered,
      executorKind: EXECUTOR_KIND[profile.kind],
      operator: orNull(profile.operator),
      capabilities: [...capabilities],
      active: profile.active,
      registeredAt: registered ? profile.registeredAt : null,
    };
    const involved =
      registered ||
      Object.values(executorRecord).some((value) => value !== 0) ||
      Object.values(posterRecord).some((value) => value !== 0);
    if (row === null) {
      if (involved) report.missing("Account", nameOf(account), "registered or with a record on chain");
    } else {
      report.compareFields("Account", nameOf(account), chainSide, row);
      report.compareFields(
        "ExecutorRecord",
        nameOf(account),
        { ...executorRecord },
        (row.executorRecord as Record<string, unknown> | null) ?? null,
      );
      report.compareFields(
        "PosterRecord",
        nameOf(account),
        { ...posterRecord },
        (row.posterRecord as Record<string, unknown> | null) ?? null,
      );
    }
    for (const token of tokens) {
      const earned = await read<bigint>(market.read.earnedOf([account, token], block));
      earnedTotals.set(token, (earnedTotals.get(token) ?? 0n) + earned);
      if (earned !== 0n) chainEarned.set(`${account}:${token}`, earned);
      const indexed = indexedAccountTokens.get(`${account}:${token}`);
      report.compare("AccountToken", `${nameOf(account)} ${token}`, "earned (earnedOf)", earned, indexed?.earned ?? 0n);
    }
  }

  /* Pull-payment credits in every contract that keeps them. */
  const creditKey = (contract: Address, account: Address, token: Address) => `${contract}:${account}:${token}`;
  const chainCredits = new Map<string, bigint>();
  const creditHolders = [...everyone, ...Object.keys(modules).map((address) => getAddress(address))];
  for (const account of creditHolders) {
    for (const token of tokens) {
      const [inMarket, inProof, inAuction] = await Promise.all([
        read<bigint>(market.read.creditOf([account, token], block)),
        read<bigint>(c.proofModule.read.creditOf([account, token], block)),
        read<bigint>(c.reverseAuction.read.creditOf([account, token], block)),
      ]);
      chainCredits.set(creditKey(market.address, account, token), inMarket);
      chainCredits.set(creditKey(c.proofModule.address, account, token), inProof);
      chainCredits.set(creditKey(c.reverseAuction.address, account, token), inAuction);
    }
    for (const module of Object.values(modules)) {
      chainCredits.set(
        creditKey(module.address, account, ETH),
        await read<bigint>(module.read.creditOf([account], block)),
      );
    }
    chainCredits.set(
      creditKey(c.panelArbitrator.address, account, ETH),
      await read<bigint>(c.panelArbitrator.read.creditOf([account], block)),
    );
  }
  const indexedCredits = new Map<string, bigint>();
  for (const row of await subgraph.all("credits", SELECTIONS.credits)) {
    const key = creditKey(getAddress(row.contract as string), addressOf(row.account)!, getAddress(row.token as string));
    indexedCredits.set(key, (indexedCredits.get(key) ?? 0n) + BigInt(row.amount as string));
  }
  for (const key of new Set([...chainCredits.keys(), ...indexedCredits.keys()])) {
    const [contract, account, token] = key.split(":") as [Address, Address, Address];
    if (!chainCredits.has(key)) {
      report.unexpected(
        "Credit",
        `${contract} ${nameOf(account)} ${token}`,
        `credit of ${indexedCredits.get(key)} for an account the chain was not asked about`,
      );
      continue;
    }
    report.compare(
      "Credit",
      `${scenarioName(result, contract)} ${nameOf(account)} ${token}`,
      "amount (creditOf)",
      chainCredits.get(key)!,
      indexedCredits.get(key) ?? 0n,
    );
  }
  const creditsIn = (contract: Address, token: Address) =>
    [...indexedCredits.entries()]
      .filter(([key]) => key.startsWith(`${contract}:`) && key.endsWith(`:${token}`))
      .reduce((sum, [, amount]) => sum + amount, 0n);
  const chainCreditsIn = (contract: Address, token: Address) =>
    [...chainCredits.entries()]
      .filter(([key]) => key.startsWith(`${contract}:`) && key.endsWith(`:${token}`))
      .reduce((sum, [, amount]) => sum + amount, 0n);

  /* Verifier sets and members. */
  const attestation = c.attestationModule;
  const indexedVerifiers = await subgraph.all("verifiers", SELECTIONS.verifiers);
  for (const setId of scenario.verifierSetIds) {
    const set = await read<{ admin: Address; memberCount: number }>(attestation.read.verifierSetOf([setId], block));
    report.compareFields(
      "VerifierSet",
      setId.toString(),
      { admin: set.admin, memberCount: set.memberCount },
      await subgraph.one("verifierSet", setId.toString(), SELECTIONS.verifierSet),
    );
    const members = new Set<Address>([
      ...[scenario.cast.vera, scenario.cast.vince, scenario.cast.viola, scenario.cast.vito].map(
        (party) => party.address,
      ),
      ...indexedVerifiers
        .filter((row) => canonical(row.verifierSet) === setId.toString())
        .map((row) => addressOf(row.account)!),
    ]);
    for (const member of members) {
      const chainMember = await read<{ bond: bigint; active: boolean; leftAt: number }>(
        attestation.read.memberOf([setId, member], block),
      );
      const row =
        indexedVerifiers.find(
          (entry) => canonical(entry.verifierSet) === setId.toString() && addressOf(entry.account) === member,
        ) ?? null;
      if (row === null && chainMember.bond === 0n && !chainMember.active) continue;
      report.compareFields(
        "Verifier",
        `${setId} ${nameOf(member)}`,
        {
          active: chainMember.active,
          bond: chainMember.bond,
          leftAt: chainMember.leftAt === 0 ? null : chainMember.leftAt,
        },
        row,
      );
    }
  }

  /* Applications and their deposits. */
  const board = c.applicationBoard;
  const indexedApplications = await subgraph.all("applications", SELECTIONS.applications);
  const applicants = [scenario.cast.hana, scenario.cast.hugo, scenario.cast.bert, scenario.cast.ada, scenario.cast.cyd];
  for (const task of tasks.filter((entry) => getAddress(entry.options.assigner) === board.address)) {
    for (const applicant of new Set([
      ...applicants.map((party) => party.address),
      ...indexedApplications
        .filter((row) => canonical(row.task) === task.taskId.toString())
        .map((row) => addressOf(row.applicant)!),
    ])) {
      const [deposit, live] = await Promise.all([
        read<bigint>(board.read.depositOf([task.taskId, applicant], block)),
        read<boolean>(board.read.isApplicant([task.taskId, applicant], block)),
      ]);
      const row =
        indexedApplications.find(
          (entry) => canonical(entry.task) === task.taskId.toString() && addressOf(entry.applicant) === applicant,
        ) ?? null;
      if (row === null && deposit === 0n && !live) continue;
      report.compareFields(
        "Application",
        `${task.taskId} ${nameOf(applicant)}`,
        { deposit, live },
        row === null ? null : { deposit: row.deposit, live: row.status === "Live" },
      );
    }
  }

  /* Auctions and bids. */
  const auction = c.reverseAuction;
  for (const task of tasks.filter((entry) => getAddress(entry.options.assigner) === auction.address)) {
    const id = task.taskId.toString();
    const chainAuction = await read<{
      bidCount: number;
      outcome: number;
      token: Address;
      winner: Address;
      revealEnd: number;
    }>(auction.read.auctionOf([task.taskId], block));
    const row = await subgraph.one("auction", id, SELECTIONS.auction);
    report.compareFields(
      "Auction",
      id,
      {
        token: chainAuction.token,
        bidCount: chainAuction.bidCount,
        outcome: AUCTION_OUTCOME[chainAuction.outcome],
        winner: orNull(chainAuction.winner),
        sealed: chainAuction.revealEnd !== 0,
      },
      row,
    );
    const bids = await read<
      readonly {
        bidder: Address;
        status: number;
        eta: number;
        sequence: number;
        price: bigint;
        deposit: bigint;
        commitment: Hex;
      }[]
    >(auction.read.bidsOf([task.taskId], block));
    const indexedBids = ((row?.bids ?? []) as Row[]).map((bid) => [addressOf(bid.bidder)!, bid] as const);
    for (const bid of bids) {
      const indexed = indexedBids.find(([bidder]) => bidder === getAddress(bid.bidder))?.[1] ?? null;
      const placed = bid.status !== 1;
      report.compareFields(
        "Bid",
        `${id} ${nameOf(getAddress(bid.bidder))}`,
        {
          status: BID_STATUS[bid.status],
          sequence: bid.sequence,
          deposit: bid.deposit,
          commitment: bid.commitment === ZERO_HASH ? null : bid.commitment,
          ...(placed && bid.price !== 0n ? { price: bid.price, eta: bid.eta } : {}),
        },
        indexed,
      );
    }
    if (indexedBids.length !== bids.length) {
      report.compare("Auction", id, "number of bids", bids.length, indexedBids.length);
    }
  }

  /* The panel's disputes. */
  const panel = c.panelArbitrator;
  const indexedPanelDisputes = await subgraph.all("arbitratorDisputes", SELECTIONS.arbitratorDisputes);
  const panelDisputeIds = new Set([
    ...scenario.panelDisputes.map((entry) => entry.disputeId),
    ...indexedPanelDisputes
      .filter((row) => getAddress(row.arbitrator as string) === panel.address)
      .map((row) => BigInt(row.disputeId as string)),
  ]);
  for (const disputeId of panelDisputeIds) {
    const chainDispute = await read<{
      arbitrable: Address;
      votingDeadline: number;
      voteCount: number;
      solved: boolean;
      delivered: boolean;
      closed: boolean;
      ruling: bigint;
      fee: bigint;
    }>(panel.read.disputeOf([disputeId], block));
    const row =
      indexedPanelDisputes.find(
        (entry) =>
          getAddress(entry.arbitrator as string) === panel.address && BigInt(entry.disputeId as string) === disputeId,
      ) ?? null;
    report.compareFields(
      "ArbitratorDispute",
      disputeId.toString(),
      {
        arbitrable: chainDispute.arbitrable,
        fee: chainDispute.fee,
        votingDeadline: chainDispute.votingDeadline,
        voteCount: chainDispute.voteCount,
        solved: chainDispute.solved,
        delivered: chainDispute.delivered,
        closedUnresolved: chainDispute.closed,
        ...(chainDispute.solved ? { ruling: chainDispute.ruling } : {}),
      },
      row,
    );
  }

  /* ---------------------------------------------------------------------------------------------------------- */
  /*                                                  Money                                                      */
  /* ---------------------------------------------------------------------------------------------------------- */

  const indexedTokens = new Map(
    (await subgraph.all("tokens", SELECTIONS.tokens)).map((row) => [getAddress(row.id as string), row]),
  );
  const indexedEscrow = new Map<Address, bigint>();
  const indexedPaid = new Map<Address, bigint>();
  for (const row of indexedTasks.values()) {
    const token = getAddress(row.token as string);
    indexedEscrow.set(token, (indexedEscrow.get(token) ?? 0n) + BigInt(row.escrowRemaining as string));
    indexedPaid.set(token, (indexedPaid.get(token) ?? 0n) + BigInt(row.paidToExecutor as string));
  }
  const chainAccrued = new Map<Address, bigint>();
  const stats = await subgraph.one("protocolStats", "protocol", SELECTIONS.protocolStats);
  report.compareFields(
    "ProtocolStats",
    "protocol",
    {
      protocolFeeBps: await market.read.protocolFeeBps(block),
      feeRecipient: await market.read.feeRecipient(block),
      paused: await market.read.paused(block),
      taskCount,
    },
    stats,
  );

  for (const token of tokens) {
    const row = indexedTokens.get(token) ?? null;
    const accrued = await read<bigint>(market.read.accruedFeesOf([token], block));
    chainAccrued.set(token, accrued);
    const held =
      token === ETH
        ? await client.getBalance({ address: market.address, blockNumber: endBlock })
        : await read<bigint>(scenario.tokenContract(token).read.balanceOf([market.address], block));
    const escrow = chainEscrow.get(token) ?? 0n;
    const bonds = chainBonds.get(token) ?? 0n;
    const credits = chainCreditsIn(market.address, token);
    // The chain's own books balance: what the market holds is escrow, bonds, credits and fees.
    report.compare(
      "TaskMarket",
      `balance of ${token}`,
      "escrow + bonds + credits + accrued fees (chain views)",
      held,
      escrow + bonds + credits + accrued,
    );
    report.compare(
      "TaskMarket",
      `balance of ${token}`,
      "Σ Task.escrowRemaining + Σ bonds of live claims + Σ Credit.amount + Token.accruedFees (indexed)",
      held,
      (indexedEscrow.get(token) ?? 0n) +
        (indexedBonds.get(token) ?? 0n) +
        creditsIn(market.address, token) +
        BigInt((row?.accruedFees as string) ?? "0"),
    );
    report.compare("Token", token, "accruedFees (accruedFeesOf)", accrued, row?.accruedFees ?? 0n);
    report.compare("Token", token, "escrowBalance", escrow, row?.escrowBalance ?? 0n);
    report.compare("Token", token, "Σ Task.escrowRemaining", escrow, indexedEscrow.get(token) ?? 0n);
    report.compare(
      "Token",
      token,
      "totalPaidToExecutors (Σ earnedOf)",
      earnedTotals.get(token) ?? 0n,
      row?.totalPaidToExecutors ?? 0n,
    );
    report.compare(
      "Token",
      token,
      "Σ Task.paidToExecutor (Σ earnedOf)",
      earnedTotals.get(token) ?? 0n,
      indexedPaid.get(token) ?? 0n,
    );
    if (row !== null) {
      report.compare(
        "Token",
        token,
        "totalProtocolFees − totalFeesWithdrawn (accruedFeesOf)",
        accrued,
        BigInt(row.totalProtocolFees as string) - BigInt(row.totalFeesWithdrawn as string),
      );
    }

    // Modules: what each holds is what the indexer says it holds.
    const balanceOf = async (holder: Address) =>
      token === ETH
        ? client.getBalance({ address: holder, blockNumber: endBlock })
        : read<bigint>(scenario.tokenContract(token).read.balanceOf([holder], block));
    const applicationDeposits = indexedApplications
      .filter((entry) => getAddress(indexedTasks.get(canonical(entry.task))?.token as string) === token)
      .reduce((sum, entry) => sum + BigInt(entry.deposit as string), 0n);
    report.compare(
      "ApplicationBoard",
      `balance of ${token}`,
      "Σ Application.deposit",
      await balanceOf(board.address),
      applicationDeposits,
    );
    report.compare(
      "ApplicationBoard",
      `balance of ${token}`,
      "totalDepositsOf",
      await balanceOf(board.address),
      await board.read.totalDepositsOf([token], block),
    );
    const bidDeposits = (await subgraph.all("bids", SELECTIONS.bids))
      .filter((entry) => getAddress((entry.auction as { token: string }).token) === token)
      .reduce((sum, entry) => sum + BigInt(entry.deposit as string), 0n);
    report.compare(
      "ReverseAuction",
      `balance of ${token}`,
      "Σ Bid.deposit + Σ Credit.amount",
      await balanceOf(auction.address),
      bidDeposits + creditsIn(auction.address, token),
    );
    report.compare(
      "ProofModule",
      `balance of ${token}`,
      "Σ Credit.amount",
      await balanceOf(c.proofModule.address),
      creditsIn(c.proofModule.address, token),
    );
  }

  // The disputable modules and the panel hold ETH only: deposits of raised disputes, verifier bonds, credits.
  const indexedDisputes = await subgraph.all("disputes", SELECTIONS.disputes);
  for (const module of Object.values(modules)) {
    const deposits = indexedDisputes
      .filter((row) => getAddress(row.module as string) === module.address)
      .reduce((sum, row) => {
        if (row.phase === "AwaitingRespondent") return sum + BigInt((row.claimantDeposit as string) ?? "0");
        if (row.phase === "Arbitrating" || row.phase === "Ruled") {
          return sum + BigInt((row.claimantDeposit as string) ?? "0") + BigInt((row.bond as string) ?? "0");
        }
        return sum;
      }, 0n);
    const bonds =
      module.address === attestation.address
        ? indexedVerifiers.reduce((sum, row) => sum + BigInt(row.bond as string), 0n)
        : 0n;
    report.compare(
      scenarioName(result, module.address),
      "balance of ETH",
      "deposits of raised disputes + verifier bonds + Σ Credit.amount",
      await client.getBalance({ address: module.address, blockNumber: endBlock }),
      deposits + bonds + creditsIn(module.address, ETH),
    );
  }
  const pendingFees = indexedPanelDisputes
    .filter((row) => !row.solved && !row.closedUnresolved)
    .reduce((sum, row) => sum + BigInt((row.fee as string) ?? "0"), 0n);
  report.compare(
    "PanelArbitrator",
    "balance of ETH",
    "fees of undecided disputes + Σ Credit.amount",
    await client.getBalance({ address: panel.address, blockNumber: endBlock }),
    pendingFees + creditsIn(panel.address, ETH),
  );
  report.compare(
    "PanelArbitrator",
    "balance of ETH",
    "Σ creditOf (chain) + undecided fees",
    await client.getBalance({ address: panel.address, blockNumber: endBlock }),
    pendingFees + chainCreditsIn(panel.address, ETH),
  );

  /* The payment ledger against balances. */
  const payments = await subgraph.all("payments", SELECTIONS.payments);
  const { flows, unaddressed } = indexedNetFlows(payments);
  for (const payment of unaddressed) report.compare("Payment", payment.id as string, "to", "a recipient", null);
  const protocolAddresses = new Set<Address>(
    Object.values(chain.deployment.contracts).map((contract) => getAddress(contract.address)),
  );
  const { gas, external, transactions } = await scanTransactions(client, startBlock, endBlock, protocolAddresses);
  const ledgerAccounts = new Set<Address>([
    ...result.accounts.keys(),
    ...[...flows.values()].flatMap((byAccount) => [...byAccount.keys()]),
  ]);
  for (const token of tokens) {
    for (const account of ledgerAccounts) {
      let change = await balanceChange(client, token, account, startBlock, endBlock);
      if (token === ETH) change += (gas.get(account) ?? 0n) - (external.get(account) ?? 0n);
      report.compare(
        "Payment ledger",
        `${nameOf(account)} ${token}`,
        "Σ in − Σ out",
        change,
        amountIn(flows, token, account),
      );
    }
  }
  for (const token of flows.keys()) {
    if (!tokens.includes(token)) report.unexpected("Payment", token, "payments in a token the scenario never used");
  }

  /* Payments by kind, against the views they add up to, and against the totals each task keeps. */
  const sumOf = (accept: (payment: Row) => boolean) =>
    payments.filter(accept).reduce((sum, payment) => sum + BigInt(payment.amount as string), 0n);
  const isToken = (payment: Row, token: Address) => getAddress(payment.token as string) === token;
  for (const account of everyone) {
    for (const token of tokens) {
      report.compare(
        "Payment",
        `ExecutorPayout to ${nameOf(account)} in ${token}`,
        "Σ amount (earnedOf)",
        chainEarned.get(`${account}:${token}`) ?? 0n,
        sumOf(
          (payment) =>
            payment.kind === "ExecutorPayout" && addressOf(payment.to) === account && isToken(payment, token),
        ),
      );
    }
  }
  for (const token of tokens) {
    report.compare(
      "Payment",
      `ProtocolFee in ${token}`,
      "Σ ProtocolFee − Σ ProtocolFeesWithdrawn (accruedFeesOf)",
      chainAccrued.get(token) ?? 0n,
      sumOf((payment) => payment.kind === "ProtocolFee" && isToken(payment, token)) -
        sumOf((payment) => payment.kind === "ProtocolFeesWithdrawn" && isToken(payment, token)),
    );
  }
  for (const row of indexedTasks.values()) {
    const ofTask = (kind: string) => sumOf((payment) => payment.kind === kind && canonical(payment.task) === row.id);
    report.consistent(
      "Task",
      row.id as string,
      "paidToExecutor",
      "Σ its ExecutorPayout payments",
      ofTask("ExecutorPayout"),
      row.paidToExecutor,
    );
    report.consistent(
      "Task",
      row.id as string,
      "protocolFees",
      "Σ its ProtocolFee payments",
      ofTask("ProtocolFee"),
      row.protocolFees,
    );
  }

  return {
    tasks: indexedTasks.size,
    accounts: indexedAccounts.size,
    payments: payments.length,
    transactions,
    comparisons: report.comparisons,
  };
}

function scenarioName(result: ScenarioResult, address: Address): string {
  return result.accounts.get(getAddress(address)) ?? address;
}
