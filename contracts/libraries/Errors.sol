// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import { Eligibility } from "../interfaces/IExecutorRegistry.sol";
import { TaskStatus } from "../types/TaskTypes.sol";

/// @title Errors
/// @notice Every custom error of the protocol, prefixed by the contract that raises it and carrying the values that
/// explain the revert.
library Errors {
    /*//////////////////////////////////////////////////////////////
                             NON-REENTRANT
    //////////////////////////////////////////////////////////////*/

    /// @notice A function guarded against reentrancy was entered again before it returned.
    error NonReentrant_ReentrantCall();

    /*//////////////////////////////////////////////////////////////
                              TASK MARKET
    //////////////////////////////////////////////////////////////*/

    /// @notice The task id was never created.
    error TaskMarket_TaskNotFound(uint256 taskId);

    /// @notice The terms passed in do not hash to the commitment stored for the task.
    error TaskMarket_TermsMismatch(uint256 taskId);

    /// @notice The call is not allowed in the task's current status (as derived by `statusOf`).
    error TaskMarket_InvalidStatus(uint256 taskId, TaskStatus status);

    /// @notice Only the task's poster may make this call.
    error TaskMarket_CallerNotPoster(uint256 taskId, address caller);

    /// @notice Only the executor holding the claim may make this call.
    error TaskMarket_CallerNotExecutor(uint256 taskId, address caller);

    /// @notice Only the task's verifier (the poster when none is set) may make this call.
    error TaskMarket_CallerNotVerifier(uint256 taskId, address caller);

    /// @notice The account is the poster or the verifier of the task and so cannot execute it.
    error TaskMarket_ConflictOfInterest(uint256 taskId, address account);

    /// @notice The caller may not claim: it is not registered, inactive, of the wrong kind or lacks a capability.
    error TaskMarket_ExecutorNotEligible(uint256 taskId, address executor, Eligibility reason);

    /// @notice The poster in the terms is not the account creating the task.
    error TaskMarket_PosterNotSender(address poster, address sender);

    /// @notice A task must carry a reward.
    error TaskMarket_ZeroReward();

    /// @notice The claim deadline must lie in the future when the task is created.
    error TaskMarket_ClaimDeadlineNotInFuture(uint40 claimDeadline, uint256 currentTime);

    /// @notice The execution window must be at least one second.
    error TaskMarket_ZeroExecutionWindow();

    /// @notice The review window must be at least one second.
    error TaskMarket_ZeroReviewWindow();

    /// @notice The fee in the terms is not the market's current protocol fee.
    error TaskMarket_FeeMismatch(uint16 currentFeeBps, uint16 termsFeeBps);

    /// @notice A task may require at most `maximum` capabilities.
    error TaskMarket_TooManyCapabilities(uint256 count, uint256 maximum);

    /// @notice Capability ids must be strictly ascending (sorted, no duplicates) so that their hash is canonical.
    error TaskMarket_CapabilitiesNotAscending(uint256 index);

    /// @notice The capability list does not hash to `capabilitiesHash` in the terms.
    error TaskMarket_CapabilitiesMismatch(bytes32 expected, bytes32 actual);

    /// @notice The ETH sent does not equal the amount due (zero for ERC-20 tasks).
    error TaskMarket_IncorrectPayment(uint256 expected, uint256 sent);

    /// @notice The token moved fewer units than requested (fee-on-transfer and similar tokens are not supported).
    error TaskMarket_TokenTransferShortfall(address token, uint256 expected, uint256 received);

    /// @notice The checkpoint's progress must be a percentage between 0 and 100.
    error TaskMarket_InvalidProgress(uint8 percentComplete);

    /// @notice The account has no credited balance in this token.
    error TaskMarket_NothingToWithdraw(address account, address token);

    /// @notice A withdrawal of ETH to the given address failed.
    error TaskMarket_EthTransferFailed(address to, uint256 amount);

    /// @notice The address must not be zero.
    error TaskMarket_ZeroAddress();

    /// @notice The protocol fee cannot exceed the hard cap.
    error TaskMarket_FeeAboveCap(uint16 feeBps, uint16 maximumFeeBps);

    /// @notice There are no accrued protocol fees in this token.
    error TaskMarket_NoFeesAccrued(address token);

    /// @notice A verifier fee needs a verifier to pay: the poster does not pay itself.
    error TaskMarket_VerifierFeeWithoutVerifier();

    /// @notice Milestone shares must be 2 to 16 leading non-zero lanes, then zero lanes, summing to 10,000.
    error TaskMarket_InvalidMilestoneShares(bytes32 milestoneShares);

    /// @notice Holds, split resolutions and verified submissions are for a delegated verifier, not the poster.
    error TaskMarket_NoDelegatedVerifier(uint256 taskId);

    /// @notice A share of a submission's amount is at most 10,000 basis points.
    error TaskMarket_InvalidShare(uint256 shareBps);

    /// @notice A hold must end in the future and within `MAX_HOLD_DURATION` of when it was first placed.
    error TaskMarket_InvalidHoldEnd(uint40 until, uint256 latest);

    /// @notice A task with an assignment module is given to an executor only by that module, through `assign`.
    error TaskMarket_CallerNotAssigner(uint256 taskId, address caller);

    /// @notice A task cannot be submitted while subtasks created from it are still open.
    error TaskMarket_SubtasksOpen(uint256 taskId, uint256 openSubtasks);

    /*//////////////////////////////////////////////////////////////
                           ASSIGNMENT MODULES
    //////////////////////////////////////////////////////////////*/

    /// @notice A module's market must not be the zero address.
    error AssignmentModule_ZeroAddress();

    /// @notice The terms given are not the task's (or the task does not exist).
    error AssignmentModule_TermsMismatch(uint256 taskId);

    /// @notice The task does not name this module as its assigner.
    error AssignmentModule_NotAssigner(uint256 taskId, address assigner);

    /// @notice The configuration given is not the one the task's options commit to.
    error AssignmentModule_ConfigMismatch(uint256 taskId, bytes32 committed, bytes32 given);

    /// @notice A task lists at most `MAX_DEPENDENCIES` dependencies.
    error AssignmentModule_TooManyDependencies(uint256 count, uint256 maximum);

    /// @notice Dependencies are strictly ascending ids of earlier tasks.
    error AssignmentModule_InvalidDependency(uint256 taskId, uint256 dependency);

    /// @notice A share in basis points is at most 10,000.
    error AssignmentModule_InvalidShare(uint256 shareBps);

    /// @notice The poster or the verifier of a task cannot be given it.
    error AssignmentModule_CandidateIsParty(uint256 taskId, address candidate);

    /// @notice The capability list given is not the task's.
    error AssignmentModule_CapabilitiesMismatch(uint256 taskId, bytes32 expected, bytes32 actual);

    /// @notice The candidate is not eligible in the executor registry for the task's kind and capabilities.
    error AssignmentModule_NotEligible(uint256 taskId, address candidate, Eligibility reason);

    /// @notice The candidate does not pass the task's reputation gate.
    error AssignmentModule_GateNotMet(uint256 taskId, address candidate);

    /// @notice Some dependency of the task is not `Verified` or `Settled` yet.
    error AssignmentModule_DependenciesNotMet(uint256 taskId);

    /// @notice Only a cancelled or expired dependency lets anyone cancel the task.
    error AssignmentModule_DependencyNotFailed(uint256 taskId, uint256 dependency, TaskStatus status);

    /// @notice The deposit sent does not match the one required.
    error AssignmentModule_IncorrectPayment(uint256 expected, uint256 sent);

    /// @notice The token delivered less than the deposit (fee-on-transfer tokens are not supported).
    error AssignmentModule_TokenTransferShortfall(address token, uint256 expected, uint256 received);

    /*//////////////////////////////////////////////////////////////
                          VERIFICATION MODULES
    //////////////////////////////////////////////////////////////*/

    /// @notice A module's market, arbitrator or token address must not be zero.
    error VerificationModule_ZeroAddress();

    /// @notice The task does not name this module as its verifier.
    error VerificationModule_NotVerifier(uint256 taskId, address verifier);

    /// @notice The configuration passed is not the one the task committed to.
    error VerificationModule_ConfigMismatch(uint256 taskId, bytes32 committed, bytes32 given);

    /*//////////////////////////////////////////////////////////////
                              PROOF MODULE
    //////////////////////////////////////////////////////////////*/

    /// @notice Only the executor holding the task's claim may submit a proof.
    error ProofModule_CallerNotExecutor(uint256 taskId, address caller);

    /// @notice The task's proof verifier did not accept the proof (it returned false, reverted or has no code).
    error ProofModule_InvalidProof(uint256 taskId, address proofVerifier);

    /// @notice Only the market may send the module ETH (a verifier fee); anything else would be stuck.
    error ProofModule_UnexpectedEth(address sender);

    /// @notice The account has no credited balance in this token.
    error ProofModule_NothingToWithdraw(address account, address token);

    /// @notice A withdrawal of ETH to the given address failed.
    error ProofModule_EthTransferFailed(address to, uint256 amount);

    /// @notice The address must not be zero.
    error ProofModule_ZeroAddress();

    /*//////////////////////////////////////////////////////////////
                           DISPUTABLE MODULES
    //////////////////////////////////////////////////////////////*/

    /// @notice The contest is not in the phase this call needs.
    error DisputableModule_InvalidPhase(uint256 taskId);

    /// @notice Only the respondent of the dispute may match its deposit.
    error DisputableModule_CallerNotRespondent(uint256 taskId, address caller);

    /// @notice Only a party to the contest may do this.
    error DisputableModule_CallerNotParty(uint256 taskId, address caller);

    /// @notice The deadline for this step has passed.
    error DisputableModule_DeadlinePassed(uint256 taskId, uint256 deadline);

    /// @notice The deadline for this step has not passed yet.
    error DisputableModule_DeadlineNotPassed(uint256 taskId, uint256 deadline);

    /// @notice A deposit must be the arbitration cost plus the bond, exactly.
    error DisputableModule_IncorrectDeposit(uint256 expected, uint256 sent);

    /// @notice The caller is not the arbitrator of a dispute awaiting its ruling.
    error DisputableModule_UnknownDispute(address arbitrator, uint256 disputeId);

    /// @notice A ruling is at most `RULING_OPTIONS`.
    error DisputableModule_InvalidRuling(uint256 ruling);

    /// @notice A share is at most 10,000 basis points.
    error DisputableModule_InvalidShare(uint256 shareBps);

    /// @notice The signature is not `signer`'s (an ECDSA signature, or ERC-1271 for a contract).
    error DisputableModule_InvalidSignature(address signer);

    /// @notice The task's configuration names no arbitrator: its decisions cannot be disputed.
    error DisputableModule_NoArbitrator(uint256 taskId);

    /// @notice The market no longer holds the contested submission: the contest ran out; close it instead.
    error DisputableModule_ContestLapsed(uint256 taskId);

    /// @notice There is no refunded arbitration fee to pass on for this dispute.
    error DisputableModule_NothingToReclaim(address arbitrator, uint256 disputeId);

    /// @notice The market still holds the submission: the contest is not over.
    error DisputableModule_ContestStillHeld(uint256 taskId);

    /// @notice There is no credit to withdraw.
    error DisputableModule_NothingToWithdraw(address account);

    /// @notice The withdrawal transfer failed.
    error DisputableModule_TransferFailed(address to, uint256 amount);

    /// @notice A contest window is at most `MAX_CONTEST_WINDOW`.
    error DisputableModule_ContestWindowTooLong(uint256 window, uint256 maximum);

    /*//////////////////////////////////////////////////////////////
                             REVIEW MODULE
    //////////////////////////////////////////////////////////////*/

    /// @notice Only the task's configured reviewer may decide.
    error ReviewModule_CallerNotReviewer(uint256 taskId, address caller);

    /// @notice A reviewer may not judge a task it executes.
    error ReviewModule_ReviewerIsExecutor(uint256 taskId, address reviewer);

    /// @notice The reviewer decides on a submission under review, not on one being contested.
    error ReviewModule_NotUnderReview(uint256 taskId);

    /*//////////////////////////////////////////////////////////////
                           ATTESTATION MODULE
    //////////////////////////////////////////////////////////////*/

    /// @notice A verdict needs at least the quorum of attestations, and at most `MAX_QUORUM`.
    error AttestationModule_QuorumNotMet(uint256 taskId, uint256 count, uint256 quorum);

    /// @notice A quorum is 1 to `MAX_QUORUM` signatures.
    error AttestationModule_InvalidQuorum(uint256 quorum, uint256 maximum);

    /// @notice The attestations do not name the verification method the task requires.
    error AttestationModule_WrongMethod(bytes32 required, bytes32 given);

    /// @notice There is no submission under review (in its review window) to give a verdict on.
    error AttestationModule_NotUnderReview(uint256 taskId);

    /// @notice Signers must be listed in strictly ascending order, which also makes them distinct.
    error AttestationModule_SignersNotAscending(uint256 index);

    /// @notice The attestation's deadline has passed.
    error AttestationModule_AttestationExpired(address signer, uint256 deadline);

    /// @notice The poster and the executor may not attest to their own task.
    error AttestationModule_SignerIsParty(uint256 taskId, address signer);

    /// @notice The signer is not an active verifier of the set with the minimum bond (never added, revoked, rotated
    /// out, unbonding or under-bonded).
    error AttestationModule_NotActiveVerifier(uint64 setId, address signer);

    /// @notice The signature is not the signer's for this attestation.
    error AttestationModule_InvalidSignature(address signer);

    error AttestationModule_UnknownVerifierSet(uint64 setId);

    error AttestationModule_CallerNotAdmin(uint64 setId, address caller);

    error AttestationModule_AlreadyMember(uint64 setId, address verifier);

    error AttestationModule_NotMember(uint64 setId, address verifier);

    /// @notice An active verifier must leave the set before withdrawing its bond.
    error AttestationModule_StillActive(uint64 setId, address verifier);

    /// @notice The bond stays slashable until `unlocksAt`.
    error AttestationModule_BondLocked(uint64 setId, address verifier, uint256 unlocksAt);

    error AttestationModule_ZeroBond();

    /*//////////////////////////////////////////////////////////////
                           OPTIMISTIC MODULE
    //////////////////////////////////////////////////////////////*/

    /// @notice The executor defends its submission; it cannot challenge it.
    error OptimisticModule_ExecutorCannotChallenge(uint256 taskId);

    /// @notice Only a submission under review, not yet challenged, can be challenged.
    error OptimisticModule_NotChallengeable(uint256 taskId);

    /// @notice A challenge must risk a bond, or challenging would be free.
    error OptimisticModule_ZeroChallengeBond();

    /*//////////////////////////////////////////////////////////////
                           EXECUTOR REGISTRY
    //////////////////////////////////////////////////////////////*/

    /// @notice An executor registers as `Human` or `Agent`; `Any` describes tasks only.
    error ExecutorRegistry_InvalidKind();

    /// @notice The account is already registered; use `updateProfile`.
    error ExecutorRegistry_AlreadyRegistered(address executor);

    /// @notice The account has not registered as an executor.
    error ExecutorRegistry_NotRegistered(address executor);

    /// @notice An agent must name the person or organisation accountable for it.
    error ExecutorRegistry_OperatorRequired();

    /// @notice An executor may declare at most `maximum` capabilities.
    error ExecutorRegistry_TooManyCapabilities(uint256 count, uint256 maximum);

    /// @notice A capability id may appear only once and must not be zero.
    error ExecutorRegistry_InvalidCapability(bytes32 capability);

    /// @notice The executor is already in the requested activation state.
    error ExecutorRegistry_ActivationUnchanged(address executor, bool active);

    /*//////////////////////////////////////////////////////////////
                            PANEL ARBITRATOR
    //////////////////////////////////////////////////////////////*/

    /// @notice The dispute id was never created.
    error PanelArbitrator_DisputeNotFound(uint256 disputeId);

    /// @notice The ETH sent does not equal the arbitration fee.
    error PanelArbitrator_IncorrectFee(uint256 expected, uint256 sent);

    /// @notice A dispute needs at least one ruling to choose besides 0 ("refused to arbitrate").
    error PanelArbitrator_InvalidChoices(uint256 choices);

    /// @notice `extraData` names at most `maximum` parties, ABI-encoded as `address[]`.
    error PanelArbitrator_TooManyParties(uint256 count, uint256 maximum);

    /// @notice Every arbiter of the panel is a party to the dispute.
    error PanelArbitrator_NoEligibleArbiters();

    /// @notice Only a member of the panel may vote.
    error PanelArbitrator_CallerNotArbiter(address caller);

    /// @notice An arbiter may never rule on a dispute it is a party to.
    error PanelArbitrator_ArbiterIsParty(uint256 disputeId, address arbiter);

    /// @notice Only arbiters seated before a dispute was created may vote on it: the owner cannot pack an open dispute.
    error PanelArbitrator_ArbiterSeatedAfterDispute(uint256 disputeId, address arbiter);

    /// @notice Each arbiter votes once per dispute.
    error PanelArbitrator_AlreadyVoted(uint256 disputeId, address arbiter);

    /// @notice The ruling is outside 0..choices.
    error PanelArbitrator_InvalidRuling(uint256 disputeId, uint256 ruling, uint256 choices);

    /// @notice The dispute has a final ruling already.
    error PanelArbitrator_DisputeSolved(uint256 disputeId);

    /// @notice The dispute's voting period is over.
    error PanelArbitrator_VotingClosed(uint256 disputeId, uint40 votingDeadline);

    /// @notice The dispute's voting period has not ended yet.
    error PanelArbitrator_VotingOpen(uint256 disputeId, uint40 votingDeadline);

    /// @notice The dispute was already closed without a ruling.
    error PanelArbitrator_DisputeClosed(uint256 disputeId);

    /// @notice The ruling has been delivered, or there is none to deliver yet.
    error PanelArbitrator_NothingToDeliver(uint256 disputeId);

    /// @notice This arbitrator gives final rulings: there are no appeals.
    error PanelArbitrator_NotAppealable(uint256 disputeId);

    /// @notice The panel is full.
    error PanelArbitrator_TooManyArbiters(uint256 maximum);

    /// @notice The account is already an arbiter, or is not one.
    error PanelArbitrator_ArbiterMembershipUnchanged(address arbiter, bool isArbiter);

    /// @notice The voting period must be at least one hour and at most 90 days.
    error PanelArbitrator_InvalidVotingPeriod(uint32 votingPeriod);

    /// @notice There is no balance to withdraw.
    error PanelArbitrator_NothingToWithdraw(address account);

    /// @notice An ETH transfer failed.
    error PanelArbitrator_EthTransferFailed(address to, uint256 amount);
}
