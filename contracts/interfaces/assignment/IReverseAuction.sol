// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import { IAssignmentModule } from "./IAssignmentModule.sol";
import { Requirements } from "../../types/AssignmentTypes.sol";
import { TaskStatus, TaskTerms } from "../../types/TaskTypes.sol";

/// @title IReverseAuction
/// @notice A reverse auction for a task: executors bid the price they would do it for (at most the reward the poster
/// funded, which is the budget) and the time they need; at close the poster picks a bid, or anyone finalizes with the
/// automatic rule below. The winner is given the task at its price and the unused budget returns to the poster at
/// once; an auction without a valid bid returns the task to the poster with a full refund.
/// @dev The schedule, in block time, with `close` = `biddingEnd` for open bids and `revealEnd` for sealed ones:
/// - `[.., biddingEnd)`: open bids ({bid}) or sealed commitments ({commitBid});
/// - `[biddingEnd, revealEnd)`: sealed bids only, their reveals ({revealBid});
/// - `[close, close + awardWindow)`: the poster may {award} any valid bid, or {finalize};
/// - `[close + awardWindow, ..)`: anyone may {finalize} (the poster too).
/// The configuration requires `close < claimDeadline` and `close + awardWindow <= claimDeadline`, so that the task is
/// still open when anyone may finalize it.
///
/// Automatic rule ({finalize}), evaluated when it runs:
/// - Only valid bids count (open bids, or sealed bids revealed in time) whose bidder still may be given the task:
///   eligible in the executor registry for the task's kind and capabilities, through the reputation gate, and not
///   operated by the poster or the verifier. The others are skipped.
/// - `reputationBps = completed * 10_000 / (completed + expired + rejected + disputesLost)`, read from the market's
///   `executorRecordOf(bidder)`; 0 for an executor without history.
/// - `priceBps = (budget - price) * 10_000 / budget`, with `budget = terms.reward`.
/// - `score = priceWeightBps * priceBps + (10_000 - priceWeightBps) * reputationBps` (all divisions round down).
/// - The highest score wins; a tie goes to the lower price, then to the bid placed at its price first (the order of
///   {bid} calls that set the price, or of the {commitBid} that committed a sealed bid).
/// - No such bid: the task is cancelled through the market and the poster refunded in full.
///
/// Deposits: every bid deposits the task's claim bond (ETH in `msg.value`, or the task's token by allowance), which
/// the module pays into the market for the winner at the award; a sealed bid deposits the configured bid bond on top.
/// A commitment not revealed by `revealEnd` loses its bid bond to the poster (credited here, see {withdraw}), unless
/// the task was cancelled before the bond was credited — by its poster through the market, or for a failed dependency
/// — so that a poster gains nothing by cancelling an auction whose bidders then saw no reason to reveal. Every other
/// deposit returns to its bidder through {withdrawDeposit} once the bid can no longer be awarded. Nothing is ever
/// pushed to a bidder or the poster, so no recipient can block an award or a finalization.
///
/// Caps: at most `MAX_BIDS` bidders per auction, which bounds the loops of {finalize} and {bidsOf}. Once the cap is
/// reached new bidders are refused; bidders already in may still lower their price or replace their commitment.
/// Filling the cap takes eligible accounts that each lock a deposit until the auction is decided; a poster who fears
/// it sets a reputation gate.
///
/// Bids: a price is at most the budget and non-zero; an ETA is the seconds the bidder needs from the award, non-zero
/// and at most the task's execution window (the market's deadline is the window regardless). The ETA informs the
/// poster's choice; the automatic rule does not use it.
///
/// A lapsed claim: if the winner's claim lapses, the market opens the task again at the price it was awarded at (the
/// budget was already refunded down to it). The poster may then {award} it again, at any time before the claim
/// deadline, to another bidder whose valid bid is at most that price and whose deposit is still here (it is paid
/// that price, never less than it asked), or cancel the task through the market. {finalize} does not re-award.
interface IReverseAuction is IAssignmentModule {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice A task's auction configuration; `TaskOptions.assignerConfigHash` commits to `keccak256(abi.encode(it))`.
    struct AuctionConfig {
        /// @dev The reputation gate and the dependencies every bidder and the winner must satisfy.
        Requirements requirements;
        /// @dev Bids (or commitments) are accepted while `block.timestamp < biddingEnd`.
        uint40 biddingEnd;
        /// @dev Zero for open bids. Otherwise sealed bids, revealed while `biddingEnd <= block.timestamp < revealEnd`.
        uint40 revealEnd;
        /// @dev The bond a sealed bid deposits on top of the claim bond, lost to the poster if it is not revealed.
        /// Non-zero for sealed bids, zero for open ones.
        uint128 bidBond;
        /// @dev The weight of the price against the bidder's reputation in the automatic rule, in basis points.
        uint16 priceWeightBps;
        /// @dev Seconds after close during which only the poster may decide. Zero lets anyone finalize at close.
        uint32 awardWindow;
    }

    /// @notice Where a bid stands.
    enum BidStatus {
        /// @dev No bid from this account.
        None,
        /// @dev A sealed commitment, not revealed yet.
        Committed,
        /// @dev A valid bid: an open bid, or a revealed sealed one.
        Placed,
        /// @dev A commitment not revealed by `revealEnd` of an auction that was not cancelled: its bid bond is the
        /// poster's. Derived in the views as soon as the reveal window ends; stored when the bond is credited.
        Forfeited,
        /// @dev The bidder took its deposit back; the bid can no longer be awarded.
        Withdrawn,
        /// @dev The bid was awarded the task (the winner, or a winner whose claim lapsed).
        Awarded
    }

    /// @notice A bid as stored.
    struct Bid {
        address bidder;
        BidStatus status;
        /// @dev The time the bidder needs, in seconds from the award; at most the task's execution window. It informs
        /// the poster's choice; the automatic rule does not use it.
        uint32 eta;
        /// @dev The order in which bids reached their current price (or were committed), for the tie-break.
        uint32 sequence;
        /// @dev The price asked; zero while a sealed bid is not revealed.
        uint128 price;
        /// @dev What the module holds for this bid: the claim bond, plus the bid bond of a sealed bid until it is
        /// returned or credited to the poster.
        uint256 deposit;
        /// @dev The sealed commitment (see {commitmentFor}); zero for an open bid.
        bytes32 commitment;
    }

    /// @notice How an auction ended, as far as this module decided it.
    enum AuctionOutcome {
        None,
        Awarded,
        Cancelled
    }

    /// @notice What the module records about a task's auction. The configuration itself is not stored: the facts the
    /// calls without a configuration need (who gets forfeited bonds, in what token, from when) are copied from it at
    /// the first bid.
    struct Auction {
        address poster;
        /// @dev Zero for open bids.
        uint40 revealEnd;
        uint8 bidCount;
        AuctionOutcome outcome;
        /// @dev The sequence number the next bid at a new price gets.
        uint32 nextSequence;
        address token;
        address winner;
        uint128 bidBond;
    }

    /// @notice Where an auction stands, derived from its configuration, its outcome, the task's status and the time.
    enum AuctionPhase {
        /// @dev Bids or commitments are accepted.
        Bidding,
        /// @dev Sealed bids are revealed.
        Revealing,
        /// @dev Closed: the poster may award a bid or finalize.
        Awarding,
        /// @dev The award window passed: anyone may finalize.
        Finalizable,
        /// @dev A bid was awarded (the winner's claim may since have lapsed, see {award}).
        Awarded,
        /// @dev The task was cancelled, or expired, without an award.
        Cancelled
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice The price weight is a share in basis points: at most 10,000.
    error ReverseAuction_InvalidPriceWeight(uint16 priceWeightBps);

    /// @notice Open bids (a zero `revealEnd`) take no bid bond.
    error ReverseAuction_BidBondWithoutSealing(uint128 bidBond);

    /// @notice Sealed bids need a non-zero bid bond, or not revealing would cost nothing.
    error ReverseAuction_SealedWithoutBidBond();

    /// @notice Sealed bids are revealed after bidding ends: `revealEnd` must be after `biddingEnd`.
    error ReverseAuction_RevealEndNotAfterBiddingEnd(uint40 biddingEnd, uint40 revealEnd);

    /// @notice The auction must close before the task's claim deadline.
    error ReverseAuction_CloseNotBeforeClaimDeadline(uint40 close, uint40 claimDeadline);

    /// @notice The award window must end no later than the task's claim deadline.
    error ReverseAuction_AwardWindowPastClaimDeadline(uint256 awardWindowEnd, uint40 claimDeadline);

    /// @notice Bids and commitments are accepted only before `biddingEnd`.
    error ReverseAuction_BiddingClosed(uint256 taskId, uint40 biddingEnd);

    /// @notice The auction takes sealed bids: use {commitBid} and {revealBid}.
    error ReverseAuction_AuctionSealed(uint256 taskId);

    /// @notice The auction takes open bids: use {bid}.
    error ReverseAuction_AuctionNotSealed(uint256 taskId);

    /// @notice The task is not open (`Posted`) in the market.
    error ReverseAuction_TaskNotOpen(uint256 taskId, TaskStatus status);

    /// @notice A price is non-zero and at most the budget (the reward).
    error ReverseAuction_InvalidPrice(uint256 taskId, uint256 price, uint256 budget);

    /// @notice An ETA is non-zero and at most the task's execution window.
    error ReverseAuction_InvalidEta(uint256 taskId, uint32 eta, uint32 executionWindow);

    /// @notice A bidder may lower its price, never raise it.
    error ReverseAuction_PriceRaised(uint256 taskId, uint128 previousPrice, uint128 price);

    /// @notice The auction already has `MAX_BIDS` bidders.
    error ReverseAuction_TooManyBids(uint256 taskId, uint256 maximum);

    /// @notice A commitment must not be zero.
    error ReverseAuction_ZeroCommitment(uint256 taskId);

    /// @notice Sealed bids are revealed only while `biddingEnd <= block.timestamp < revealEnd`.
    error ReverseAuction_RevealWindowClosed(uint256 taskId, uint40 biddingEnd, uint40 revealEnd);

    /// @notice Only a committed, unrevealed bid can be revealed.
    error ReverseAuction_NotCommitted(uint256 taskId, address bidder, BidStatus status);

    /// @notice The revealed values do not hash to the commitment.
    error ReverseAuction_CommitmentMismatch(uint256 taskId, address bidder, bytes32 committed, bytes32 revealed);

    /// @notice Only the poster may make this call.
    error ReverseAuction_CallerNotPoster(uint256 taskId, address caller);

    /// @notice The auction has not closed yet.
    error ReverseAuction_AuctionNotClosed(uint256 taskId, uint40 close);

    /// @notice The poster's award window is over: anyone may {finalize}.
    error ReverseAuction_AwardWindowOver(uint256 taskId, uint256 awardWindowEnd);

    /// @notice The award window is not over: only the poster may finalize yet.
    error ReverseAuction_AwardWindowNotOver(uint256 taskId, uint256 awardWindowEnd);

    /// @notice The auction was already decided.
    error ReverseAuction_AlreadyDecided(uint256 taskId, AuctionOutcome outcome);

    /// @notice Only a valid bid (an open bid, or a revealed sealed one) still backed by its deposit can be awarded.
    error ReverseAuction_BidNotAwardable(uint256 taskId, address bidder, BidStatus status);

    /// @notice After a lapsed claim, a bid can be awarded only if it asks at most the price the task now pays.
    error ReverseAuction_BidAboveCurrentPrice(uint256 taskId, address bidder, uint256 price, uint256 currentPrice);

    /// @notice A sealed commitment's deposit stays until the reveal window ends.
    error ReverseAuction_RevealPending(uint256 taskId, address bidder, uint40 revealEnd);

    /// @notice A valid bid's deposit stays until the auction is awarded or the task ends without one.
    error ReverseAuction_BidStillActive(uint256 taskId, address bidder);

    /// @notice The caller has no deposit to take back on this task.
    error ReverseAuction_NothingToWithdraw(uint256 taskId, address account);

    /// @notice No commitment of this auction is left to forfeit now.
    error ReverseAuction_NothingToSweep(uint256 taskId);

    /// @notice The caller has no credit in this token.
    error ReverseAuction_NoCredit(address account, address token);

    /// @notice A withdrawal needs a non-zero recipient.
    error ReverseAuction_ZeroRecipient();

    /// @notice An ETH withdrawal to `to` failed.
    error ReverseAuction_TransferFailed(address to, uint256 amount);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Emitted by {publishConfig}: what task `taskId`'s options commit to.
    event AuctionConfigPublished(uint256 indexed taskId, bytes32 indexed configHash, AuctionConfig config);

    /// @notice Emitted when `bidder` places an open bid or lowers it; `deposit` is what this call took (zero on an
    /// update) and `sequence` the bid's place in the tie-break.
    event BidPlaced(
        uint256 indexed taskId,
        address indexed bidder,
        uint128 price,
        uint32 eta,
        uint32 sequence,
        uint256 deposit
    );

    /// @notice Emitted when `bidder` commits a sealed bid or replaces its commitment; `deposit` is what this call took
    /// (zero on a replacement).
    event BidCommitted(
        uint256 indexed taskId,
        address indexed bidder,
        bytes32 commitment,
        uint32 sequence,
        uint256 deposit
    );

    /// @notice Emitted when `bidder` reveals its sealed bid, which becomes valid.
    event BidRevealed(uint256 indexed taskId, address indexed bidder, uint128 price, uint32 eta);

    /// @notice Emitted when the bid bond of a commitment that was not revealed is credited to the poster.
    event BidBondForfeited(uint256 indexed taskId, address indexed bidder, address indexed poster, uint256 amount);

    /// @notice Emitted when `winner` is given the task at `price`: by the poster, or by the automatic rule
    /// (`automatic`) with `score`. A price below the reward refunds the rest to the poster (the market's
    /// `RewardLowered`). Emitted again when the poster re-awards a task whose claim lapsed.
    event AuctionAwarded(uint256 indexed taskId, address indexed winner, uint256 price, bool automatic, uint256 score);

    /// @notice Emitted when the module cancels the task: no valid bid at finalization, or a failed dependency.
    event AuctionCancelled(uint256 indexed taskId);

    /// @notice Emitted when `bidder` takes back what the module held for its bid.
    event DepositWithdrawn(uint256 indexed taskId, address indexed bidder, address indexed token, uint256 amount);

    /// @notice Emitted when `account` withdraws the forfeited bid bonds credited to it.
    event CreditWithdrawn(address indexed account, address indexed token, address to, uint256 amount);

    /*//////////////////////////////////////////////////////////////
                             READ FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice The most bidders an auction accepts; it bounds the loop of {finalize}.
    function MAX_BIDS() external view returns (uint256);

    /// @notice The hash a task's options commit to for `config`: `keccak256(abi.encode(config))`.
    function configHash(AuctionConfig calldata config) external pure returns (bytes32);

    /// @notice The commitment a sealed bid of `bidder` on `taskId` must carry:
    /// `keccak256(abi.encode(block.chainid, address(this), taskId, bidder, price, eta, salt))`.
    /// @dev The bidder is bound so that no one can copy a commitment and reveal it with the bidder's values; the task,
    /// the chain and this module so that a commitment means one bid on one auction only.
    function commitmentFor(
        uint256 taskId,
        address bidder,
        uint128 price,
        uint32 eta,
        bytes32 salt
    ) external view returns (bytes32);

    /// @notice The auction's phase, for the configuration its task commits to.
    /// @dev Reverts with `AssignmentModule_ConfigMismatch` (or `_NotAssigner`) if `config` is not the task's.
    function phaseOf(uint256 taskId, AuctionConfig calldata config) external view returns (AuctionPhase);

    /// @notice What the module records about the task's auction (all zero before the first bid).
    function auctionOf(uint256 taskId) external view returns (Auction memory);

    /// @notice Every bid of the auction, in the order the bidders first bid; at most `MAX_BIDS`. A commitment whose
    /// bond is forfeited reads as `Forfeited` from `revealEnd`, credited or not.
    function bidsOf(uint256 taskId) external view returns (Bid[] memory);

    /// @notice The bid of `bidder` (all zero without one), with the status derived as in {bidsOf}.
    function bidOf(uint256 taskId, address bidder) external view returns (Bid memory);

    /// @notice What the module holds for the bid of `bidder` on `taskId`. For a forfeited commitment whose bond has
    /// not been credited yet this still includes the bond owed to the poster.
    function depositOf(uint256 taskId, address bidder) external view returns (uint256);

    /// @notice The bidder last awarded the task; zero before an award.
    function winnerOf(uint256 taskId) external view returns (address);

    /// @notice The forfeited bid bonds credited to `account` in `token` (`address(0)` for ETH).
    function creditOf(address account, address token) external view returns (uint256);

    /// @notice The reputation the automatic rule gives `executor`, in basis points (see the rule above).
    function reputationOf(address executor) external view returns (uint256);

    /// @notice The automatic rule's score of a bid of `price` from `executor` against `budget`.
    /// @dev Requires `0 < price <= budget` and `priceWeightBps <= 10_000`, as the auction does.
    function scoreOf(
        address executor,
        uint256 price,
        uint256 budget,
        uint16 priceWeightBps
    ) external view returns (uint256);

    /// @notice The bid {finalize} would award now, with its score; `found` is false if it would cancel the task.
    /// @dev Evaluates every valid bid as {finalize} does, without crediting forfeited bonds.
    function previewWinner(
        uint256 taskId,
        TaskTerms calldata terms,
        AuctionConfig calldata config,
        bytes32[] calldata capabilities
    ) external view returns (bool found, address winner, uint256 price, uint256 score);

    /*//////////////////////////////////////////////////////////////
                            WRITE FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Validates `config` for the task and emits it, so that bidders and indexers can read what the task's
    /// hash commits to. Anyone may call it.
    /// @dev Emits {AuctionConfigPublished}. Requirements: the task names this module with `config`; `config` valid.
    function publishConfig(uint256 taskId, TaskTerms calldata terms, AuctionConfig calldata config) external;

    /// @notice Places an open bid, or lowers the caller's price (and updates its ETA) by bidding again.
    /// @dev Emits {BidPlaced}.
    ///
    /// Notes:
    /// - The first bid deposits the task's claim bond (ETH in `msg.value`, or the task's token by allowance to this
    ///   module); an update deposits nothing.
    /// - A bid that lowers the price takes a new place in the tie-break; an update of the ETA alone keeps its place.
    ///
    /// Requirements:
    /// - The task names this module with `config`, which is valid and takes open bids; the task is `Posted`.
    /// - `block.timestamp < config.biddingEnd`.
    /// - `0 < price <= terms.reward`, not above the caller's previous price; `0 < eta <= terms.executionWindow`.
    /// - The caller may be given the task: eligible for its kind and `capabilities` (the task's), through the gate,
    ///   not the poster or the verifier nor operated by either.
    /// - A new bidder finds fewer than `MAX_BIDS` bids.
    function bid(
        uint256 taskId,
        TaskTerms calldata terms,
        AuctionConfig calldata config,
        uint128 price,
        uint32 eta,
        bytes32[] calldata capabilities
    ) external payable;

    /// @notice Commits a sealed bid (see {commitmentFor}), or replaces the caller's commitment.
    /// @dev Emits {BidCommitted}.
    ///
    /// Notes:
    /// - The first commitment deposits the claim bond plus `config.bidBond`; a replacement deposits nothing and takes
    ///   a new place in the tie-break.
    /// - The bidder is checked as in {bid}, so that the cap cannot be filled by accounts that could never be given the
    ///   task; this is why the task's `capabilities` are passed.
    ///
    /// Requirements: as {bid}, for an auction that takes sealed bids; a non-zero `commitment`.
    function commitBid(
        uint256 taskId,
        TaskTerms calldata terms,
        AuctionConfig calldata config,
        bytes32 commitment,
        bytes32[] calldata capabilities
    ) external payable;

    /// @notice Reveals the caller's sealed bid, which becomes valid.
    /// @dev Emits {BidRevealed}.
    ///
    /// Notes:
    /// - A reveal does not need the task to be open (the commitments of a cancelled auction return whole anyway).
    /// - A reveal that does not match, or whose values are out of range, reverts and leaves the commitment
    ///   unrevealed: at `revealEnd` its bid bond goes to the poster.
    ///
    /// Requirements:
    /// - The task names this module with `config`, which takes sealed bids.
    /// - `config.biddingEnd <= block.timestamp < config.revealEnd`.
    /// - The caller has an unrevealed commitment equal to `commitmentFor(taskId, msg.sender, price, eta, salt)`.
    /// - `price` and `eta` in range, and the caller checked, as in {bid}.
    function revealBid(
        uint256 taskId,
        TaskTerms calldata terms,
        AuctionConfig calldata config,
        uint128 price,
        uint32 eta,
        bytes32 salt,
        bytes32[] calldata capabilities
    ) external;

    /// @notice Gives the task to `bidder` at its price: the poster's choice among the valid bids. The rest of the
    /// budget returns to the poster at once.
    /// @dev Emits {AuctionAwarded}, {BidBondForfeited} for each commitment not revealed, the base's {DependenciesMet},
    /// and the market's `RewardLowered` and `TaskClaimed`.
    ///
    /// Notes:
    /// - After the winner's claim lapsed, the poster may award the task again to another bidder, at the price the task
    ///   now pays (see the contract notes); the award window does not apply then.
    ///
    /// Requirements:
    /// - Caller the poster; the task names this module with `config`; the task is `Posted`; not cancelled by the
    ///   module.
    /// - First award: `close <= block.timestamp < close + awardWindow`.
    /// - `bidder` has a valid bid backed by its deposit, and may still be given the task (as in {bid}).
    /// - The dependencies are met (it reverts until they are).
    function award(
        uint256 taskId,
        TaskTerms calldata terms,
        AuctionConfig calldata config,
        address bidder,
        bytes32[] calldata capabilities
    ) external;

    /// @notice Ends the auction with the automatic rule: awards the best valid bid, or, if none is left, cancels the
    /// task and refunds the poster in full.
    /// @dev Emits {BidBondForfeited} for each commitment not revealed, then as {award} (with `automatic` set) or
    /// {AuctionCancelled} and the market's `TaskCancelled`.
    ///
    /// Requirements:
    /// - The task names this module with `config`; the task is `Posted`; the auction not decided yet.
    /// - `block.timestamp >= close + awardWindow`, or `>= close` for the poster.
    /// - With a winner, the dependencies are met (it reverts until they are).
    function finalize(
        uint256 taskId,
        TaskTerms calldata terms,
        AuctionConfig calldata config,
        bytes32[] calldata capabilities
    ) external;

    /// @notice Cancels the task because its dependency at `index` was cancelled or expired; anyone may call it.
    /// Past the reveal window, the bonds of commitments not revealed are credited to the poster first.
    /// @dev Emits {BidBondForfeited} for each such commitment, {AuctionCancelled}, the base's {DependencyFailed} and
    /// the market's `TaskCancelled`.
    function cancelForFailedDependency(
        uint256 taskId,
        TaskTerms calldata terms,
        AuctionConfig calldata config,
        uint256 index
    ) external;

    /// @notice Credits the poster with the bid bond of every commitment of the auction not revealed in time. Anyone
    /// may call it (a poster about to cancel its task through the market calls it first); {award}, {finalize},
    /// {cancelForFailedDependency} and {withdrawDeposit} do the same for the bids they touch.
    /// @dev Emits {BidBondForfeited} for each. Requirements: the reveal window has ended, the auction is undecided and
    /// its task was not cancelled, and an unrevealed commitment is left.
    function sweepForfeitedBonds(uint256 taskId) external;

    /// @notice Pays the caller what the module holds for its bid on `taskId`: a losing bid's claim bond (and bid bond),
    /// a forfeited commitment's claim bond, or a winner's bid bond.
    /// @dev Emits {DepositWithdrawn}, and {BidBondForfeited} first for a commitment not revealed.
    ///
    /// Requirements:
    /// - An unrevealed commitment: the reveal window has ended (its bid bond then goes to the poster), or the task was
    ///   cancelled (it returns whole).
    /// - A valid bid: the auction was awarded or cancelled, or the task is no longer open (cancelled or expired).
    ///   Taking the deposit back withdraws the bid: it can no longer be awarded after a lapsed claim.
    /// - Something left to withdraw.
    function withdrawDeposit(uint256 taskId) external;

    /// @notice Pays `to` the forfeited bid bonds credited to the caller in `token`.
    /// @dev Emits {CreditWithdrawn}. Requirements: a non-zero `to` and a non-zero credit.
    function withdraw(address token, address to) external;
}
