// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IERC20 } from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import { SafeERC20 } from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import { NonReentrant } from "../abstracts/NonReentrant.sol";
import { IReverseAuction } from "../interfaces/assignment/IReverseAuction.sol";
import { IExecutorRegistry } from "../interfaces/IExecutorRegistry.sol";
import { ITaskMarket } from "../interfaces/ITaskMarket.sol";
import { Errors } from "../libraries/Errors.sol";
import { ExecutorRecord, TaskOptions, TaskStatus, TaskTerms } from "../types/TaskTypes.sol";
import { AssignmentModule } from "./AssignmentModule.sol";

/// @title ReverseAuction
/// @notice See the documentation in {IReverseAuction}.
/// @dev Liabilities, per token: the deposits of all bids (`Bid.deposit`) plus the credits of posters (`_credits`).
/// Every inflow ({bid}, {commitBid}) raises a deposit by exactly what arrived, and every outflow (the winner's claim
/// bond paid into the market, {withdrawDeposit}, {withdraw}) lowers one of them by exactly what left, so the module's
/// balance equals what it owes. A forfeited bid bond moves from a deposit to a credit without leaving.
contract ReverseAuction is AssignmentModule, NonReentrant, IReverseAuction {
    using SafeERC20 for IERC20;

    /// @inheritdoc IReverseAuction
    uint256 public constant override MAX_BIDS = 32;

    /// @dev The best bid found so far while applying the automatic rule.
    struct Ranking {
        bool found;
        uint256 index;
        uint256 score;
        uint256 price;
        uint256 sequence;
    }

    mapping(uint256 taskId => Auction auction) private _auctions;

    /// @dev The bids of each auction in the order their bidders first bid; `Auction.bidCount` of them are used.
    mapping(uint256 taskId => Bid[MAX_BIDS] bids) private _bids;

    /// @dev One plus the index of each bidder's bid in `_bids`; zero for an account that has not bid.
    mapping(uint256 taskId => mapping(address bidder => uint256 position)) private _positions;

    /// @dev Forfeited bid bonds owed to posters, per token (`address(0)` for ETH).
    mapping(address account => mapping(address token => uint256 amount)) private _credits;

    constructor(ITaskMarket market_) AssignmentModule(market_) {}

    /*//////////////////////////////////////////////////////////////
                             READ FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IReverseAuction
    function configHash(AuctionConfig calldata config) public pure override returns (bytes32) {
        return keccak256(abi.encode(config));
    }

    /// @inheritdoc IReverseAuction
    function commitmentFor(
        uint256 taskId,
        address bidder,
        uint128 price,
        uint32 eta,
        bytes32 salt
    ) public view override returns (bytes32) {
        return keccak256(abi.encode(block.chainid, address(this), taskId, bidder, price, eta, salt));
    }

    /// @inheritdoc IReverseAuction
    function phaseOf(uint256 taskId, AuctionConfig calldata config) external view override returns (AuctionPhase) {
        TaskOptions memory options = market.optionsOf(taskId);
        if (options.assigner != address(this)) revert Errors.AssignmentModule_NotAssigner(taskId, options.assigner);
        bytes32 given = configHash(config);
        if (options.assignerConfigHash != given) {
            revert Errors.AssignmentModule_ConfigMismatch(taskId, options.assignerConfigHash, given);
        }

        AuctionOutcome outcome = _auctions[taskId].outcome;
        if (outcome == AuctionOutcome.Awarded) return AuctionPhase.Awarded;
        if (outcome == AuctionOutcome.Cancelled || market.statusOf(taskId) != TaskStatus.Posted) {
            return AuctionPhase.Cancelled;
        }
        if (block.timestamp < config.biddingEnd) return AuctionPhase.Bidding;
        uint40 close = _closeOf(config);
        if (block.timestamp < close) return AuctionPhase.Revealing;
        if (block.timestamp < uint256(close) + config.awardWindow) return AuctionPhase.Awarding;
        return AuctionPhase.Finalizable;
    }

    /// @inheritdoc IReverseAuction
    function auctionOf(uint256 taskId) external view override returns (Auction memory) {
        return _auctions[taskId];
    }

    /// @inheritdoc IReverseAuction
    function bidsOf(uint256 taskId) external view override returns (Bid[] memory bids) {
        Auction storage auction = _auctions[taskId];
        uint256 count = auction.bidCount;
        bids = new Bid[](count);
        bool forfeiting = _forfeitsNow(taskId, auction);
        for (uint256 i = 0; i < count; ++i) {
            bids[i] = _derivedBid(_bids[taskId][i], forfeiting);
        }
    }

    /// @inheritdoc IReverseAuction
    function bidOf(uint256 taskId, address bidder) external view override returns (Bid memory entry) {
        uint256 position = _positions[taskId][bidder];
        if (position != 0) {
            entry = _derivedBid(_bids[taskId][position - 1], _forfeitsNow(taskId, _auctions[taskId]));
        }
    }

    /// @inheritdoc IReverseAuction
    function depositOf(uint256 taskId, address bidder) external view override returns (uint256) {
        uint256 position = _positions[taskId][bidder];
        return position == 0 ? 0 : _bids[taskId][position - 1].deposit;
    }

    /// @inheritdoc IReverseAuction
    function winnerOf(uint256 taskId) external view override returns (address) {
        return _auctions[taskId].winner;
    }

    /// @inheritdoc IReverseAuction
    function creditOf(address account, address token) external view override returns (uint256) {
        return _credits[account][token];
    }

    /// @inheritdoc IReverseAuction
    function reputationOf(address executor) public view override returns (uint256) {
        ExecutorRecord memory record = market.executorRecordOf(executor);
        uint256 outcomes = uint256(record.completed) + record.expired + record.rejected + record.disputesLost;
        return outcomes == 0 ? 0 : (uint256(record.completed) * BPS) / outcomes;
    }

    /// @inheritdoc IReverseAuction
    function scoreOf(
        address executor,
        uint256 price,
        uint256 budget,
        uint16 priceWeightBps
    ) external view override returns (uint256) {
        if (price == 0 || price > budget) revert ReverseAuction_InvalidPrice(0, price, budget);
        if (priceWeightBps > BPS) revert ReverseAuction_InvalidPriceWeight(priceWeightBps);
        return _score(executor, price, budget, priceWeightBps);
    }

    /// @inheritdoc IReverseAuction
    function previewWinner(
        uint256 taskId,
        TaskTerms calldata terms,
        AuctionConfig calldata config,
        bytes32[] calldata capabilities
    ) external view override returns (bool found, address winner, uint256 price, uint256 score) {
        _checkConfig(taskId, terms, config);
        _checkCapabilityList(taskId, terms, capabilities);
        Ranking memory best = _selectWinner(taskId, terms, config, capabilities);
        if (!best.found) return (false, address(0), 0, 0);
        return (true, _bids[taskId][best.index].bidder, best.price, best.score);
    }

    /*//////////////////////////////////////////////////////////////
                            WRITE FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IReverseAuction
    function publishConfig(uint256 taskId, TaskTerms calldata terms, AuctionConfig calldata config) external override {
        _checkConfig(taskId, terms, config);
        emit AuctionConfigPublished(taskId, configHash(config), config);
    }

    /// @inheritdoc IReverseAuction
    function bid(
        uint256 taskId,
        TaskTerms calldata terms,
        AuctionConfig calldata config,
        uint128 price,
        uint32 eta,
        bytes32[] calldata capabilities
    ) external payable override nonReentrant {
        _checkConfig(taskId, terms, config);
        if (config.revealEnd != 0) revert ReverseAuction_AuctionSealed(taskId);
        _checkBiddingOpen(taskId, config);
        _checkPriceAndEta(taskId, terms, price, eta);
        _checkCandidate(taskId, terms, config.requirements, msg.sender, capabilities);

        (Bid storage entry, bool isNew) = _bidSlotOf(taskId, terms, config);
        uint256 deposit;
        if (isNew) {
            deposit = terms.claimBond;
            entry.status = BidStatus.Placed;
            entry.deposit = deposit;
        } else if (price > entry.price) {
            revert ReverseAuction_PriceRaised(taskId, entry.price, price);
        }
        // A bid keeps its place in the tie-break while its price stands: only a new price is a new bid.
        if (isNew || price < entry.price) entry.sequence = _nextSequence(taskId);
        entry.price = price;
        entry.eta = eta;

        emit BidPlaced(taskId, msg.sender, price, eta, entry.sequence, deposit);

        _takeDeposit(terms, deposit);
    }

    /// @inheritdoc IReverseAuction
    function commitBid(
        uint256 taskId,
        TaskTerms calldata terms,
        AuctionConfig calldata config,
        bytes32 commitment,
        bytes32[] calldata capabilities
    ) external payable override nonReentrant {
        _checkConfig(taskId, terms, config);
        if (config.revealEnd == 0) revert ReverseAuction_AuctionNotSealed(taskId);
        _checkBiddingOpen(taskId, config);
        if (commitment == bytes32(0)) revert ReverseAuction_ZeroCommitment(taskId);
        _checkCandidate(taskId, terms, config.requirements, msg.sender, capabilities);

        (Bid storage entry, bool isNew) = _bidSlotOf(taskId, terms, config);
        uint256 deposit;
        if (isNew) {
            deposit = uint256(terms.claimBond) + config.bidBond;
            entry.status = BidStatus.Committed;
            entry.deposit = deposit;
        }
        uint32 sequence = _nextSequence(taskId);
        entry.sequence = sequence;
        entry.commitment = commitment;

        emit BidCommitted(taskId, msg.sender, commitment, sequence, deposit);

        _takeDeposit(terms, deposit);
    }

    /// @inheritdoc IReverseAuction
    function revealBid(
        uint256 taskId,
        TaskTerms calldata terms,
        AuctionConfig calldata config,
        uint128 price,
        uint32 eta,
        bytes32 salt,
        bytes32[] calldata capabilities
    ) external override nonReentrant {
        _checkConfig(taskId, terms, config);
        if (config.revealEnd == 0) revert ReverseAuction_AuctionNotSealed(taskId);
        if (block.timestamp < config.biddingEnd || block.timestamp >= config.revealEnd) {
            revert ReverseAuction_RevealWindowClosed(taskId, config.biddingEnd, config.revealEnd);
        }
        Bid storage entry = _committedBidOf(taskId, commitmentFor(taskId, msg.sender, price, eta, salt));
        _checkPriceAndEta(taskId, terms, price, eta);
        _checkCandidate(taskId, terms, config.requirements, msg.sender, capabilities);

        entry.status = BidStatus.Placed;
        entry.price = price;
        entry.eta = eta;

        emit BidRevealed(taskId, msg.sender, price, eta);
    }

    /// @inheritdoc IReverseAuction
    function award(
        uint256 taskId,
        TaskTerms calldata terms,
        AuctionConfig calldata config,
        address bidder,
        bytes32[] calldata capabilities
    ) external override nonReentrant {
        _checkConfig(taskId, terms, config);
        if (msg.sender != terms.poster) revert ReverseAuction_CallerNotPoster(taskId, msg.sender);
        _checkTaskOpen(taskId);
        (uint256 index, uint256 price) = _checkPosterAward(taskId, terms, config, bidder);
        _checkCandidate(taskId, terms, config.requirements, bidder, capabilities);

        // At the first award, while the auction is live; a no-op at a re-award, the first having swept.
        _sweepForfeits(taskId);
        _recordAward(taskId, terms, index, price, false, 0);
        _assign(taskId, terms, config.requirements, bidder, price, capabilities);
    }

    /// @inheritdoc IReverseAuction
    function finalize(
        uint256 taskId,
        TaskTerms calldata terms,
        AuctionConfig calldata config,
        bytes32[] calldata capabilities
    ) external override nonReentrant {
        _checkConfig(taskId, terms, config);
        _checkCapabilityList(taskId, terms, capabilities);
        _checkTaskOpen(taskId);
        _checkFinalizable(taskId, terms, config);
        _sweepForfeits(taskId);

        address winner;
        uint256 price;
        {
            Ranking memory best = _selectWinner(taskId, terms, config, capabilities);
            if (!best.found) {
                _auctionOf(taskId, terms, config).outcome = AuctionOutcome.Cancelled;
                emit AuctionCancelled(taskId);
                market.cancel(taskId, terms);
                return;
            }
            winner = _recordAward(taskId, terms, best.index, best.price, true, best.score);
            price = best.price;
        }

        _assign(taskId, terms, config.requirements, winner, price, capabilities);
    }

    /// @inheritdoc IReverseAuction
    function cancelForFailedDependency(
        uint256 taskId,
        TaskTerms calldata terms,
        AuctionConfig calldata config,
        uint256 index
    ) external override nonReentrant {
        _checkConfig(taskId, terms, config);
        Auction storage auction = _auctionOf(taskId, terms, config);
        // Past the reveal window, the commitments not revealed lost their bonds while the auction was live.
        _sweepForfeits(taskId);
        // Dependencies were met when the task was awarded, and a met dependency cannot fail afterwards (`Verified`
        // only ever becomes `Settled`), so an auction cancelled here was never awarded.
        auction.outcome = AuctionOutcome.Cancelled;
        emit AuctionCancelled(taskId);

        _cancelForFailedDependency(taskId, terms, config.requirements, index);
    }

    /// @inheritdoc IReverseAuction
    function sweepForfeitedBonds(uint256 taskId) external override nonReentrant {
        if (_sweepForfeits(taskId) == 0) revert ReverseAuction_NothingToSweep(taskId);
    }

    /// @inheritdoc IReverseAuction
    function withdrawDeposit(uint256 taskId) external override nonReentrant {
        uint256 position = _positions[taskId][msg.sender];
        if (position == 0) revert ReverseAuction_NothingToWithdraw(taskId, msg.sender);
        Auction storage auction = _auctions[taskId];
        Bid storage entry = _bids[taskId][position - 1];

        BidStatus status = entry.status;
        if (status == BidStatus.Committed && _isLive(taskId, auction)) {
            // A commitment stands through the reveal window and then loses its bid bond; one of a cancelled auction
            // returns whole.
            uint40 revealEnd = auction.revealEnd;
            if (block.timestamp < revealEnd) revert ReverseAuction_RevealPending(taskId, msg.sender, revealEnd);
            _forfeit(taskId, auction, entry);
        } else if (status == BidStatus.Placed) {
            // A valid bid stands until the auction is decided, or until the task can no longer be given out.
            bool decided = auction.outcome != AuctionOutcome.None || market.statusOf(taskId) != TaskStatus.Posted;
            if (!decided) revert ReverseAuction_BidStillActive(taskId, msg.sender);
        }

        uint256 amount = entry.deposit;
        if (amount == 0) revert ReverseAuction_NothingToWithdraw(taskId, msg.sender);
        entry.deposit = 0;
        // A winner's record stays `Awarded`: it takes back only its bid bond, its claim bond being in the market.
        if (status != BidStatus.Awarded) entry.status = BidStatus.Withdrawn;

        address token = auction.token;
        emit DepositWithdrawn(taskId, msg.sender, token, amount);

        _transferOut(token, msg.sender, amount);
    }

    /// @inheritdoc IReverseAuction
    function withdraw(address token, address to) external override nonReentrant {
        if (to == address(0)) revert ReverseAuction_ZeroRecipient();
        uint256 amount = _credits[msg.sender][token];
        if (amount == 0) revert ReverseAuction_NoCredit(msg.sender, token);
        delete _credits[msg.sender][token];

        emit CreditWithdrawn(msg.sender, token, to, amount);

        _transferOut(token, to, amount);
    }

    /*//////////////////////////////////////////////////////////////
                                 CHECKS
    //////////////////////////////////////////////////////////////*/

    /// @dev Checks that the task names this module with `config`, and that `config` is valid for the task.
    function _checkConfig(uint256 taskId, TaskTerms calldata terms, AuctionConfig calldata config) private view {
        _checkTask(taskId, terms, configHash(config));
        _checkRequirements(taskId, config.requirements);
        _checkSchedule(terms, config);
    }

    /// @dev The auction must close, and its award window end, while the task can still be given out: otherwise the
    /// task could expire with valid bids and no one able to award them.
    function _checkSchedule(TaskTerms calldata terms, AuctionConfig calldata config) private pure {
        if (config.priceWeightBps > BPS) revert ReverseAuction_InvalidPriceWeight(config.priceWeightBps);
        if (config.revealEnd == 0) {
            if (config.bidBond != 0) revert ReverseAuction_BidBondWithoutSealing(config.bidBond);
        } else {
            if (config.biddingEnd >= config.revealEnd) {
                revert ReverseAuction_RevealEndNotAfterBiddingEnd(config.biddingEnd, config.revealEnd);
            }
            if (config.bidBond == 0) revert ReverseAuction_SealedWithoutBidBond();
        }
        uint40 close = _closeOf(config);
        if (close >= terms.claimDeadline) revert ReverseAuction_CloseNotBeforeClaimDeadline(close, terms.claimDeadline);
        uint256 awardWindowEnd = uint256(close) + config.awardWindow;
        if (awardWindowEnd > terms.claimDeadline) {
            revert ReverseAuction_AwardWindowPastClaimDeadline(awardWindowEnd, terms.claimDeadline);
        }
    }

    /// @dev Bids and commitments are taken before `biddingEnd`, for a task that is still open.
    function _checkBiddingOpen(uint256 taskId, AuctionConfig calldata config) private view {
        if (block.timestamp >= config.biddingEnd) revert ReverseAuction_BiddingClosed(taskId, config.biddingEnd);
        _checkTaskOpen(taskId);
    }

    function _checkTaskOpen(uint256 taskId) private view {
        TaskStatus status = market.statusOf(taskId);
        if (status != TaskStatus.Posted) revert ReverseAuction_TaskNotOpen(taskId, status);
    }

    /// @dev A price is what the executor will be paid out of the budget; an ETA beyond the execution window would
    /// promise what the market does not allow.
    function _checkPriceAndEta(uint256 taskId, TaskTerms calldata terms, uint128 price, uint32 eta) private pure {
        if (price == 0 || price > terms.reward) revert ReverseAuction_InvalidPrice(taskId, price, terms.reward);
        if (eta == 0 || eta > terms.executionWindow) {
            revert ReverseAuction_InvalidEta(taskId, eta, terms.executionWindow);
        }
    }

    /// @dev The poster may finalize as soon as the auction closes; anyone else once the award window is over.
    function _checkFinalizable(uint256 taskId, TaskTerms calldata terms, AuctionConfig calldata config) private view {
        AuctionOutcome outcome = _auctions[taskId].outcome;
        if (outcome != AuctionOutcome.None) revert ReverseAuction_AlreadyDecided(taskId, outcome);
        uint40 close = _closeOf(config);
        if (block.timestamp < close) revert ReverseAuction_AuctionNotClosed(taskId, close);
        uint256 awardWindowEnd = uint256(close) + config.awardWindow;
        if (msg.sender != terms.poster && block.timestamp < awardWindowEnd) {
            revert ReverseAuction_AwardWindowNotOver(taskId, awardWindowEnd);
        }
    }

    /*//////////////////////////////////////////////////////////////
                                 BIDS
    //////////////////////////////////////////////////////////////*/

    /// @dev The auction's record, written from the validated terms and configuration the first time it is needed.
    function _auctionOf(
        uint256 taskId,
        TaskTerms calldata terms,
        AuctionConfig calldata config
    ) private returns (Auction storage auction) {
        auction = _auctions[taskId];
        if (auction.poster == address(0)) {
            auction.poster = terms.poster;
            auction.token = terms.token;
            auction.revealEnd = config.revealEnd;
            auction.bidBond = config.bidBond;
        }
    }

    /// @dev The caller's bid on `taskId`, taking a new slot (within `MAX_BIDS`) for a new bidder.
    function _bidSlotOf(
        uint256 taskId,
        TaskTerms calldata terms,
        AuctionConfig calldata config
    ) private returns (Bid storage entry, bool isNew) {
        uint256 position = _positions[taskId][msg.sender];
        if (position != 0) return (_bids[taskId][position - 1], false);

        Auction storage auction = _auctionOf(taskId, terms, config);
        uint256 count = auction.bidCount;
        if (count == MAX_BIDS) revert ReverseAuction_TooManyBids(taskId, MAX_BIDS);
        // `count < MAX_BIDS`, which fits 8 bits.
        auction.bidCount = uint8(count + 1);
        _positions[taskId][msg.sender] = count + 1;
        entry = _bids[taskId][count];
        entry.bidder = msg.sender;
        isNew = true;
    }

    /// @dev The caller's unrevealed commitment on `taskId`, checked against the values it reveals.
    function _committedBidOf(uint256 taskId, bytes32 revealed) private view returns (Bid storage entry) {
        uint256 position = _positions[taskId][msg.sender];
        if (position == 0) revert ReverseAuction_NotCommitted(taskId, msg.sender, BidStatus.None);
        entry = _bids[taskId][position - 1];
        if (entry.status != BidStatus.Committed) revert ReverseAuction_NotCommitted(taskId, msg.sender, entry.status);
        if (entry.commitment != revealed) {
            revert ReverseAuction_CommitmentMismatch(taskId, msg.sender, entry.commitment, revealed);
        }
    }

    /// @dev The next place in the tie-break. Checked arithmetic: 2^32 bids are far beyond any gas budget anyway.
    function _nextSequence(uint256 taskId) private returns (uint32 sequence) {
        Auction storage auction = _auctions[taskId];
        sequence = auction.nextSequence;
        auction.nextSequence = sequence + 1;
    }

    /// @dev A bid as the views show it: an unrevealed commitment reads as forfeited once it is, bond credited or not.
    function _derivedBid(Bid memory entry, bool forfeiting) private pure returns (Bid memory) {
        if (forfeiting && entry.status == BidStatus.Committed) entry.status = BidStatus.Forfeited;
        return entry;
    }

    /// @dev Whether the auction is still undecided on a task that was never cancelled: open, or expired (which can only
    /// happen after the award window, the claim deadline being later).
    function _isLive(uint256 taskId, Auction storage auction) private view returns (bool) {
        if (auction.outcome != AuctionOutcome.None) return false;
        TaskStatus status = market.statusOf(taskId);
        return status == TaskStatus.Posted || status == TaskStatus.Expired;
    }

    /// @dev Whether unrevealed commitments lose their bid bond now: the reveal window is over and the auction went
    /// through it live. A task cancelled before its bonds were credited (by its poster through the market, or for a
    /// failed dependency) forfeits nothing, so that a poster cannot profit from cancelling an auction whose bidders
    /// then saw no reason to reveal. An award or a finalization credits every bond first, while the auction is live.
    function _forfeitsNow(uint256 taskId, Auction storage auction) private view returns (bool) {
        uint40 revealEnd = auction.revealEnd;
        return revealEnd != 0 && block.timestamp >= revealEnd && _isLive(taskId, auction);
    }

    /// @dev Credits the poster with the bid bond of every commitment not revealed by `revealEnd`, if they are forfeited
    /// (see {_forfeitsNow}); returns how many.
    function _sweepForfeits(uint256 taskId) private returns (uint256 swept) {
        Auction storage auction = _auctions[taskId];
        if (!_forfeitsNow(taskId, auction)) return 0;
        uint256 count = auction.bidCount;
        for (uint256 i = 0; i < count; ++i) {
            Bid storage entry = _bids[taskId][i];
            if (entry.status == BidStatus.Committed) {
                _forfeit(taskId, auction, entry);
                ++swept;
            }
        }
    }

    /// @dev Moves the bid bond of an unrevealed commitment from its deposit to the poster's credit.
    function _forfeit(uint256 taskId, Auction storage auction, Bid storage entry) private {
        uint256 bond = auction.bidBond;
        address poster = auction.poster;
        entry.status = BidStatus.Forfeited;
        // A commitment's deposit is the claim bond plus the bid bond until it is forfeited, which happens once.
        entry.deposit -= bond;
        _credits[poster][auction.token] += bond;

        emit BidBondForfeited(taskId, entry.bidder, poster, bond);
    }

    /*//////////////////////////////////////////////////////////////
                                 AWARDS
    //////////////////////////////////////////////////////////////*/

    /// @dev Checks the poster's award of `bidder`'s bid: a valid bid, within the award window for the first award, at
    /// most the current price for a re-award. Returns the bid's index and the price to assign at.
    function _checkPosterAward(
        uint256 taskId,
        TaskTerms calldata terms,
        AuctionConfig calldata config,
        address bidder
    ) private view returns (uint256 index, uint256 price) {
        AuctionOutcome outcome = _auctions[taskId].outcome;
        if (outcome == AuctionOutcome.Cancelled) revert ReverseAuction_AlreadyDecided(taskId, outcome);

        uint256 position = _positions[taskId][bidder];
        BidStatus status = position == 0 ? BidStatus.None : _bids[taskId][position - 1].status;
        if (status != BidStatus.Placed) revert ReverseAuction_BidNotAwardable(taskId, bidder, status);
        index = position - 1;

        price = _bids[taskId][index].price;
        if (outcome == AuctionOutcome.None) {
            uint40 close = _closeOf(config);
            if (block.timestamp < close) revert ReverseAuction_AuctionNotClosed(taskId, close);
            uint256 awardWindowEnd = uint256(close) + config.awardWindow;
            if (block.timestamp >= awardWindowEnd) revert ReverseAuction_AwardWindowOver(taskId, awardWindowEnd);
        } else {
            // A re-award after a lapsed claim: the market takes only the price the task already pays, which was
            // fixed (and the rest of the budget refunded) at the first award. The bidder gets at least its ask.
            uint256 currentPrice = _currentPrice(taskId, terms);
            if (price > currentPrice) revert ReverseAuction_BidAboveCurrentPrice(taskId, bidder, price, currentPrice);
            price = currentPrice;
        }
    }

    /// @dev Records bid `index` as the winner at `price` and hands its claim bond over to the market's coming
    /// `assign`.
    function _recordAward(
        uint256 taskId,
        TaskTerms calldata terms,
        uint256 index,
        uint256 price,
        bool automatic,
        uint256 score
    ) private returns (address winner) {
        Bid storage entry = _bids[taskId][index];
        winner = entry.bidder;
        Auction storage auction = _auctions[taskId];
        auction.outcome = AuctionOutcome.Awarded;
        auction.winner = winner;
        entry.status = BidStatus.Awarded;
        // A valid bid's deposit holds at least the claim bond; what the market pulls in `_assign` leaves it here.
        entry.deposit -= terms.claimBond;

        emit AuctionAwarded(taskId, winner, price, automatic, score);
    }

    /// @dev The automatic rule: the best valid bid whose bidder may still be given the task (see {IReverseAuction}).
    function _selectWinner(
        uint256 taskId,
        TaskTerms calldata terms,
        AuctionConfig calldata config,
        bytes32[] calldata capabilities
    ) private view returns (Ranking memory best) {
        uint256 count = _auctions[taskId].bidCount;
        IExecutorRegistry registry = market.executorRegistry();
        // Bounded by `MAX_BIDS`.
        for (uint256 i = 0; i < count; ++i) {
            Bid storage entry = _bids[taskId][i];
            if (entry.status != BidStatus.Placed) continue;
            if (!_isCandidate(terms, config.requirements, entry.bidder, capabilities, registry)) continue;
            uint256 price = entry.price;
            uint256 score = _score(entry.bidder, price, terms.reward, config.priceWeightBps);
            if (best.found && !_ranksAbove(score, price, entry.sequence, best)) continue;
            best = Ranking({ found: true, index: i, score: score, price: price, sequence: entry.sequence });
        }
    }

    /// @dev Whether a bid of `score`, `price` and `sequence` beats `best`: a higher score, then a lower price, then an
    /// earlier sequence.
    function _ranksAbove(
        uint256 score,
        uint256 price,
        uint256 sequence,
        Ranking memory best
    ) private pure returns (bool) {
        if (score != best.score) return score > best.score;
        if (price != best.price) return price < best.price;
        return sequence < best.sequence;
    }

    /// @dev `priceWeightBps * priceBps + (10_000 - priceWeightBps) * reputationBps`; at most 10^8, so it cannot
    /// overflow. Requires `0 < price <= budget`.
    function _score(
        address executor,
        uint256 price,
        uint256 budget,
        uint256 priceWeightBps
    ) private view returns (uint256) {
        uint256 priceBps = ((budget - price) * BPS) / budget;
        return priceWeightBps * priceBps + (BPS - priceWeightBps) * reputationOf(executor);
    }

    /*//////////////////////////////////////////////////////////////
                                HELPERS
    //////////////////////////////////////////////////////////////*/

    /// @dev The end of the auction: when bidding ends for open bids, when the reveal window ends for sealed ones.
    function _closeOf(AuctionConfig calldata config) private pure returns (uint40) {
        return config.revealEnd == 0 ? config.biddingEnd : config.revealEnd;
    }

    /// @dev Pays out with the full gas of the call: only the recipient of its own withdrawal can make it fail.
    function _transferOut(address token, address to, uint256 amount) private {
        if (token == address(0)) {
            (bool success, ) = to.call{ value: amount }("");
            if (!success) revert ReverseAuction_TransferFailed(to, amount);
        } else {
            IERC20(token).safeTransfer(to, amount);
        }
    }
}
