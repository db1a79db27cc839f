// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Ownable } from "@openzeppelin/contracts/access/Ownable.sol";
import { Ownable2Step } from "@openzeppelin/contracts/access/Ownable2Step.sol";

import { NonReentrant } from "../abstracts/NonReentrant.sol";
import { IArbitrable } from "../interfaces/arbitration/IArbitrable.sol";
import { IPanelArbitrator } from "../interfaces/arbitration/IPanelArbitrator.sol";
import { Errors } from "../libraries/Errors.sol";

/// @title PanelArbitrator
/// @notice See the documentation in {IPanelArbitrator}.
contract PanelArbitrator is IPanelArbitrator, Ownable2Step, NonReentrant {
    /// @inheritdoc IPanelArbitrator
    uint256 public constant override MAX_ARBITERS = 15;

    /// @inheritdoc IPanelArbitrator
    uint256 public constant override MAX_PARTIES = 4;

    uint32 private constant MIN_VOTING_PERIOD = 1 hours;
    uint32 private constant MAX_VOTING_PERIOD = 90 days;

    address[] private _arbiters;
    /// @dev The first dispute an arbiter may vote on: one past the disputes created before they were seated, 0 when not
    /// on the panel. Only arbiters seated before a dispute was created may vote on it, so the owner cannot seat a
    /// majority of its own on an open dispute; a removed and re-seated arbiter loses the disputes created meanwhile.
    mapping(address account => uint256 firstDispute) private _firstDisputeOf;
    uint256 private _arbitrationFee;
    uint32 private _votingPeriod;
    uint256 private _disputeCount;

    mapping(uint256 disputeId => PanelDispute dispute) private _disputes;
    mapping(uint256 disputeId => address[] parties) private _parties;
    mapping(uint256 disputeId => address[] voters) private _voters;
    mapping(uint256 disputeId => mapping(address arbiter => bool voted)) private _hasVoted;
    mapping(uint256 disputeId => mapping(address arbiter => uint256 ruling)) private _voteOf;
    mapping(uint256 disputeId => mapping(uint256 ruling => uint256 votes)) private _tally;
    mapping(address account => uint256 amount) private _credits;

    constructor(address initialOwner, uint256 initialFee, uint32 initialVotingPeriod) Ownable(initialOwner) {
        _setVotingPeriod(initialVotingPeriod);
        _arbitrationFee = initialFee;
    }

    /*//////////////////////////////////////////////////////////////
                             READ FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IPanelArbitrator
    function arbiters() external view override returns (address[] memory) {
        return _arbiters;
    }

    /// @inheritdoc IPanelArbitrator
    function isArbiter(address account) external view override returns (bool) {
        return _firstDisputeOf[account] != 0;
    }

    /// @inheritdoc IPanelArbitrator
    function votingPeriod() external view override returns (uint32) {
        return _votingPeriod;
    }

    /// @inheritdoc IPanelArbitrator
    function disputeOf(uint256 disputeId) external view override returns (PanelDispute memory) {
        return _disputes[disputeId];
    }

    /// @inheritdoc IPanelArbitrator
    function partiesOf(uint256 disputeId) external view override returns (address[] memory) {
        return _parties[disputeId];
    }

    /// @inheritdoc IPanelArbitrator
    function votesFor(uint256 disputeId, uint256 ruling) external view override returns (uint256) {
        return _tally[disputeId][ruling];
    }

    /// @inheritdoc IPanelArbitrator
    function creditOf(address account) external view override returns (uint256) {
        return _credits[account];
    }

    /// @notice The fee is the same for every dispute; `extraData` only names the parties.
    function arbitrationCost(bytes calldata) external view override returns (uint256) {
        return _arbitrationFee;
    }

    /// @notice Rulings are final: appeals are never possible.
    function appealCost(uint256, bytes calldata) external pure override returns (uint256) {
        return type(uint256).max;
    }

    /// @notice Rulings are final: the appeal period is always empty.
    function appealPeriod(uint256) external pure override returns (uint256 start, uint256 end) {
        return (0, 0);
    }

    function disputeStatus(uint256 disputeId) external view override returns (DisputeStatus) {
        PanelDispute storage dispute = _existingDispute(disputeId);
        return dispute.solved ? DisputeStatus.Solved : DisputeStatus.Waiting;
    }

    function currentRuling(uint256 disputeId) external view override returns (uint256) {
        return _existingDispute(disputeId).ruling;
    }

    /*//////////////////////////////////////////////////////////////
                            WRITE FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    function createDispute(
        uint256 choices,
        bytes calldata extraData
    ) external payable override nonReentrant returns (uint256 disputeId) {
        if (msg.value != _arbitrationFee) revert Errors.PanelArbitrator_IncorrectFee(_arbitrationFee, msg.value);
        if (choices == 0) revert Errors.PanelArbitrator_InvalidChoices(choices);
        address[] memory parties = extraData.length == 0 ? new address[](0) : abi.decode(extraData, (address[]));
        if (parties.length > MAX_PARTIES) revert Errors.PanelArbitrator_TooManyParties(parties.length, MAX_PARTIES);

        // Bounded: at most MAX_ARBITERS × MAX_PARTIES comparisons.
        uint256 eligible;
        for (uint256 i = 0; i < _arbiters.length; ++i) {
            if (!_contains(parties, _arbiters[i])) ++eligible;
        }
        if (eligible == 0) revert Errors.PanelArbitrator_NoEligibleArbiters();

        disputeId = ++_disputeCount;
        _disputes[disputeId] = PanelDispute({
            arbitrable: IArbitrable(msg.sender),
            votingDeadline: uint40(block.timestamp) + _votingPeriod,
            majority: uint8(eligible / 2 + 1),
            voteCount: 0,
            solved: false,
            delivered: false,
            closed: false,
            choices: choices,
            ruling: 0,
            fee: msg.value
        });
        _parties[disputeId] = parties;

        emit DisputeCreation(disputeId, IArbitrable(msg.sender));
    }

    /// @notice There are no appeals.
    function appeal(uint256 disputeId, bytes calldata) external payable override {
        revert Errors.PanelArbitrator_NotAppealable(disputeId);
    }

    /// @inheritdoc IPanelArbitrator
    function vote(uint256 disputeId, uint256 ruling) external override nonReentrant {
        PanelDispute storage dispute = _existingDispute(disputeId);
        if (dispute.solved) revert Errors.PanelArbitrator_DisputeSolved(disputeId);
        if (dispute.closed) revert Errors.PanelArbitrator_DisputeClosed(disputeId);
        if (block.timestamp > dispute.votingDeadline) {
            revert Errors.PanelArbitrator_VotingClosed(disputeId, dispute.votingDeadline);
        }
        uint256 firstDispute = _firstDisputeOf[msg.sender];
        if (firstDispute == 0) revert Errors.PanelArbitrator_CallerNotArbiter(msg.sender);
        if (firstDispute > disputeId) revert Errors.PanelArbitrator_ArbiterSeatedAfterDispute(disputeId, msg.sender);
        if (_contains(_parties[disputeId], msg.sender)) {
            revert Errors.PanelArbitrator_ArbiterIsParty(disputeId, msg.sender);
        }
        if (_hasVoted[disputeId][msg.sender]) revert Errors.PanelArbitrator_AlreadyVoted(disputeId, msg.sender);
        if (ruling > dispute.choices) revert Errors.PanelArbitrator_InvalidRuling(disputeId, ruling, dispute.choices);

        _hasVoted[disputeId][msg.sender] = true;
        _voteOf[disputeId][msg.sender] = ruling;
        _voters[disputeId].push(msg.sender);
        dispute.voteCount += 1;
        uint256 votes = ++_tally[disputeId][ruling];
        emit VoteCast(disputeId, msg.sender, ruling);

        if (votes < dispute.majority) return;

        dispute.solved = true;
        dispute.ruling = ruling;
        _shareFee(disputeId, dispute.fee, ruling, votes);
        emit DisputeSolved(disputeId, ruling, votes);

        // A reverting arbitrable must not undo the panel's decision: delivery can be retried.
        try dispute.arbitrable.rule(disputeId, ruling) {
            dispute.delivered = true;
        } catch {
            emit RulingDeliveryFailed(disputeId);
        }
    }

    /// @inheritdoc IPanelArbitrator
    function executeRuling(uint256 disputeId) external override nonReentrant {
        PanelDispute storage dispute = _existingDispute(disputeId);
        if (!dispute.solved || dispute.delivered) revert Errors.PanelArbitrator_NothingToDeliver(disputeId);
        dispute.delivered = true;
        dispute.arbitrable.rule(disputeId, dispute.ruling);
    }

    /// @inheritdoc IPanelArbitrator
    function closeUnresolved(uint256 disputeId) external override {
        PanelDispute storage dispute = _existingDispute(disputeId);
        if (dispute.solved) revert Errors.PanelArbitrator_DisputeSolved(disputeId);
        if (dispute.closed) revert Errors.PanelArbitrator_DisputeClosed(disputeId);
        if (block.timestamp <= dispute.votingDeadline) {
            revert Errors.PanelArbitrator_VotingOpen(disputeId, dispute.votingDeadline);
        }
        dispute.closed = true;
        _credits[address(dispute.arbitrable)] += dispute.fee;
        emit DisputeClosedUnresolved(disputeId, dispute.fee);
    }

    /// @inheritdoc IPanelArbitrator
    function withdraw() external override nonReentrant {
        uint256 amount = _credits[msg.sender];
        if (amount == 0) revert Errors.PanelArbitrator_NothingToWithdraw(msg.sender);
        delete _credits[msg.sender];
        emit Withdrawn(msg.sender, amount);
        (bool success, ) = msg.sender.call{ value: amount }("");
        if (!success) revert Errors.PanelArbitrator_EthTransferFailed(msg.sender, amount);
    }

    /*//////////////////////////////////////////////////////////////
                                 ADMIN
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IPanelArbitrator
    function addArbiter(address arbiter) external override onlyOwner {
        if (arbiter == address(0) || _firstDisputeOf[arbiter] != 0) {
            revert Errors.PanelArbitrator_ArbiterMembershipUnchanged(arbiter, true);
        }
        if (_arbiters.length == MAX_ARBITERS) revert Errors.PanelArbitrator_TooManyArbiters(MAX_ARBITERS);
        _firstDisputeOf[arbiter] = _disputeCount + 1;
        _arbiters.push(arbiter);
        emit ArbiterAdded(arbiter);
    }

    /// @inheritdoc IPanelArbitrator
    function removeArbiter(address arbiter) external override onlyOwner {
        if (_firstDisputeOf[arbiter] == 0) revert Errors.PanelArbitrator_ArbiterMembershipUnchanged(arbiter, false);
        delete _firstDisputeOf[arbiter];
        uint256 last = _arbiters.length - 1;
        for (uint256 i = 0; i <= last; ++i) {
            if (_arbiters[i] == arbiter) {
                _arbiters[i] = _arbiters[last];
                _arbiters.pop();
                break;
            }
        }
        emit ArbiterRemoved(arbiter);
    }

    /// @inheritdoc IPanelArbitrator
    function setArbitrationFee(uint256 newFee) external override onlyOwner {
        emit ArbitrationFeeUpdated(_arbitrationFee, newFee);
        _arbitrationFee = newFee;
    }

    /// @inheritdoc IPanelArbitrator
    function setVotingPeriod(uint32 newPeriod) external override onlyOwner {
        emit VotingPeriodUpdated(_votingPeriod, newPeriod);
        _setVotingPeriod(newPeriod);
    }

    /*//////////////////////////////////////////////////////////////
                           PRIVATE FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    function _existingDispute(uint256 disputeId) private view returns (PanelDispute storage dispute) {
        dispute = _disputes[disputeId];
        if (address(dispute.arbitrable) == address(0)) revert Errors.PanelArbitrator_DisputeNotFound(disputeId);
    }

    /// @dev Shares the fee among the arbiters who voted for the final ruling; the last share is the remainder, so no
    /// wei is lost to rounding.
    function _shareFee(uint256 disputeId, uint256 fee, uint256 ruling, uint256 winners) private {
        if (fee == 0) return;
        address[] storage voters = _voters[disputeId];
        uint256 share = fee / winners;
        uint256 paid;
        uint256 found;
        for (uint256 i = 0; i < voters.length; ++i) {
            address voter = voters[i];
            if (_voteOf[disputeId][voter] != ruling) continue;
            uint256 amount = ++found == winners ? fee - paid : share;
            paid += amount;
            _credits[voter] += amount;
        }
    }

    function _setVotingPeriod(uint32 newPeriod) private {
        if (newPeriod < MIN_VOTING_PERIOD || newPeriod > MAX_VOTING_PERIOD) {
            revert Errors.PanelArbitrator_InvalidVotingPeriod(newPeriod);
        }
        _votingPeriod = newPeriod;
    }

    function _contains(address[] memory accounts, address account) private pure returns (bool) {
        for (uint256 i = 0; i < accounts.length; ++i) {
            if (accounts[i] == account) return true;
        }
        return false;
    }
}
