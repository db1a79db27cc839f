// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import { IArbitrable } from "../arbitration/IArbitrable.sol";
import { IArbitrator } from "../arbitration/IArbitrator.sol";
import { IEvidence } from "../arbitration/IEvidence.sol";
import { IPanelArbitrator } from "../arbitration/IPanelArbitrator.sol";
import { TaskTerms } from "../../types/TaskTypes.sol";

/// @title IDisputableModule
/// @notice The contest and dispute process that the review, attestation and optimistic modules share.
/// @dev A decision that goes against a party (a rejection, a partial score, an accepted-but-challenged result) is put
/// on hold in the market for a contest window. Within it, a party may dispute by depositing the arbitration fee (and
/// the method's bond, if any); the other side must match the deposit within `FEE_PAYMENT_PERIOD` or lose. With both
/// deposits in, an ERC-792 arbitrator is asked to rule with `RULING_OPTIONS` choices: ruling `r` from 1 to 11 gives
/// the executor `(r - 1) * 10 %`; ruling 0 (refusal) and silence past `RULING_PERIOD` leave the contested decision
/// standing. Both parties may instead sign an agreed split (EIP-712 `Settlement`), which ends the contest at once.
/// Every outcome is carried out by anyone within `EXECUTION_PERIOD`; after that the market's hold runs out and
/// settles by itself with the outcome it was last given, so no escrow waits on this contract.
interface IDisputableModule is IArbitrable, IEvidence {
    /// @notice Where a task's contest stands.
    enum ContestPhase {
        None,
        Open,
        AwaitingRespondent,
        Arbitrating,
        Ruled
    }

    /// @notice How a contest ended.
    enum ContestOutcome {
        Accepted,
        RespondentDefaulted,
        Ruled,
        ArbitratorSilent,
        Agreed,
        Lapsed
    }

    /// @notice A task's contest. One at a time per task; a later submission (the next milestone, a resubmission)
    /// may be contested again once it ends.
    struct Contest {
        ContestPhase phase;
        /// @dev Whether the contested decision is a rejection (which the executor may accept and resubmit).
        bool rejection;
        /// @dev Whether the claimant argues for the executor (a larger share) or against.
        bool claimantForExecutor;
        /// @dev The executor's share under the contested decision: what stands if no one disputes, or if the
        /// arbitrator refuses or fails to rule.
        uint16 decisionShareBps;
        uint16 rulingShareBps;
        /// @dev The end of the contest window, then the fee deadline, then the ruling deadline.
        uint40 deadline;
        address claimant;
        address respondent;
        IArbitrator arbitrator;
        uint256 arbitratorDisputeId;
        /// @dev The claimant's arbitration fee deposit; the respondent's pays the arbitrator.
        uint128 claimantFee;
        /// @dev The bond each side posts (zero for methods without one).
        uint128 bond;
    }

    /// @notice Emitted when a decision is put up for contest until `windowEnd`.
    event ContestOpened(uint256 indexed taskId, uint16 decisionShareBps, bool rejection, uint40 windowEnd);

    /// @notice Emitted when a party disputes; the respondent must match the deposit by `feeDeadline`.
    event DisputeRaised(
        uint256 indexed taskId,
        address indexed claimant,
        address indexed respondent,
        IArbitrator arbitrator,
        uint256 deposit,
        uint40 feeDeadline
    );

    /// @notice Emitted when the respondent matched the deposit and the arbitrator was seized.
    event ArbitrationStarted(
        uint256 indexed taskId,
        IArbitrator indexed arbitrator,
        uint256 arbitratorDisputeId,
        uint40 rulingDeadline
    );

    /// @notice Emitted when a contest ends with `executorShareBps` for the executor.
    event ContestEnded(uint256 indexed taskId, ContestOutcome outcome, uint16 executorShareBps);

    /// @notice Emitted with each piece of evidence (also emitted as ERC-1497 `Evidence`).
    event EvidenceSubmitted(uint256 indexed taskId, address indexed party, bytes32 evidenceHash, string evidenceURI);

    /// @notice Emitted when the verifier fee the market paid this module is passed on.
    event VerifierFeeForwarded(address indexed token, address indexed to, uint256 amount);

    /// @notice Emitted when a fee an arbitrator refunded (a panel that reached no majority) is passed to its payer.
    event ArbitrationFeeReclaimed(
        IArbitrator indexed arbitrator,
        uint256 indexed disputeId,
        address indexed payer,
        uint256 amount
    );

    /// @notice Emitted when a payment out of this contract failed and was credited for {withdraw}.
    event PaymentCredited(address indexed account, uint256 amount);

    /// @notice The number of rulings offered to the arbitrator: 1 to 11 give the executor 0 % to 100 %.
    function RULING_OPTIONS() external view returns (uint256);

    /// @notice The longest contest window a configuration may set.
    function MAX_CONTEST_WINDOW() external view returns (uint256);

    /// @notice How long the respondent has to match a dispute deposit.
    function FEE_PAYMENT_PERIOD() external view returns (uint256);

    /// @notice How long the arbitrator has to rule; any appeals must fit in it.
    function RULING_PERIOD() external view returns (uint256);

    /// @notice How long anyone has to carry out an outcome before the market's hold settles by itself.
    function EXECUTION_PERIOD() external view returns (uint256);

    /// @notice The share of a losing side's bond paid to the protocol treasury rather than to the winner.
    function TREASURY_SHARE_BPS() external view returns (uint16);

    /// @notice The task's contest.
    function contestOf(uint256 taskId) external view returns (Contest memory);

    /// @notice The EIP-712 digest the poster and the executor sign to agree on a split.
    function settlementDigest(
        uint256 taskId,
        bytes32 submissionHash,
        uint16 executorShareBps,
        uint64 deadline
    ) external view returns (bytes32);

    /// @notice Matches the claimant's deposit; the arbitrator is seized. Requirements: caller the respondent, before
    /// the fee deadline, `msg.value` equal to the arbitration cost plus the bond.
    function respond(uint256 taskId, TaskTerms calldata terms) external payable;

    /// @notice Ends a dispute whose respondent did not match the deposit in time: the claimant wins.
    function timeoutRespondent(uint256 taskId, TaskTerms calldata terms) external;

    /// @notice Carries out the arbitrator's ruling. Anyone may call it.
    function executeRuling(uint256 taskId, TaskTerms calldata terms) external;

    /// @notice Ends a dispute the arbitrator did not rule on in time: the contested decision stands.
    function timeoutArbitration(uint256 taskId, TaskTerms calldata terms) external;

    /// @notice Ends a contest with the split the poster and the executor both signed.
    function settleByAgreement(
        uint256 taskId,
        TaskTerms calldata terms,
        uint16 executorShareBps,
        uint64 deadline,
        bytes calldata posterSignature,
        bytes calldata executorSignature
    ) external;

    /// @notice Refunds the deposits of a contest whose hold ran out in the market before anyone carried it out.
    function closeLapsedContest(uint256 taskId) external;

    /// @notice Submits evidence for the task's dispute. Requirements: caller the claimant or the respondent.
    function submitEvidence(uint256 taskId, bytes32 evidenceHash, string calldata evidenceURI) external;

    /// @notice Passes on to the party that paid it the fee of a `PanelArbitrator` dispute closed without a majority,
    /// which the panel refunds to this contract. Anyone may call it; never pays more than the panel returned.
    function reclaimArbitrationFee(IPanelArbitrator arbitrator, uint256 disputeId) external;

    /// @notice Withdraws ETH credited after a failed payment.
    function withdraw() external;
}
