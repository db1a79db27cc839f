// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IArbitrable } from "../../../../contracts/interfaces/arbitration/IArbitrable.sol";
import { IArbitrator } from "../../../../contracts/interfaces/arbitration/IArbitrator.sol";
import { IPanelArbitrator } from "../../../../contracts/interfaces/arbitration/IPanelArbitrator.sol";

/// @notice An ERC-792 arbitrator that keeps every fee it is paid, never rules, and answers the three `PanelArbitrator`
/// reads a disputable module relies on to pass a refund on — `disputeOf`, `creditOf` and `withdraw` — with whatever
/// the test tells it: a dispute it calls closed (or not, or someone else's), a credit it claims to owe, and what its
/// `withdraw` really sends, which need not be that credit.
/// @dev Cast it to `IPanelArbitrator` to pass it to `reclaimArbitrationFee`; only the functions above are there.
contract LyingArbitrator is IArbitrator {
    uint256 public fee;
    uint256 public disputeCount;
    /// @dev What `creditOf` reports, for any account.
    uint256 public reportedCredit;
    /// @dev What `withdraw` sends its caller, whatever `creditOf` reports.
    uint256 public withdrawal;
    uint256 public withdrawCalls;

    mapping(uint256 disputeId => IPanelArbitrator.PanelDispute dispute) private _disputes;

    error LyingArbitrator_IncorrectFee(uint256 required, uint256 paid);
    error LyingArbitrator_NotAppealable(uint256 disputeId);
    error LyingArbitrator_TransferFailed(address to, uint256 amount);

    constructor(uint256 fee_) {
        fee = fee_;
    }

    /// @dev Funds the lies: a test deals it the ETH it may send beyond what it was paid.
    receive() external payable {}

    /*//////////////////////////////////////////////////////////////
                               THE LIES
    //////////////////////////////////////////////////////////////*/

    function setReportedCredit(uint256 amount) external {
        reportedCredit = amount;
    }

    function setWithdrawal(uint256 amount) external {
        withdrawal = amount;
    }

    function setClosed(uint256 disputeId, bool closed) external {
        _disputes[disputeId].closed = closed;
    }

    function setArbitrable(uint256 disputeId, IArbitrable arbitrable) external {
        _disputes[disputeId].arbitrable = arbitrable;
    }

    /// @dev Sends `amount` to `to` outside any withdrawal.
    function push(address to, uint256 amount) external {
        (bool success, ) = to.call{ value: amount }("");
        if (!success) revert LyingArbitrator_TransferFailed(to, amount);
    }

    /*//////////////////////////////////////////////////////////////
                          PANEL ARBITRATOR READS
    //////////////////////////////////////////////////////////////*/

    function disputeOf(uint256 disputeId) external view returns (IPanelArbitrator.PanelDispute memory) {
        return _disputes[disputeId];
    }

    function creditOf(address) external view returns (uint256) {
        return reportedCredit;
    }

    function withdraw() external {
        withdrawCalls += 1;
        if (withdrawal == 0) return;
        (bool success, ) = msg.sender.call{ value: withdrawal }("");
        if (!success) revert LyingArbitrator_TransferFailed(msg.sender, withdrawal);
    }

    /*//////////////////////////////////////////////////////////////
                                ERC-792
    //////////////////////////////////////////////////////////////*/

    function createDispute(uint256 choices, bytes calldata) external payable override returns (uint256 disputeId) {
        if (msg.value != fee) revert LyingArbitrator_IncorrectFee(fee, msg.value);
        disputeId = ++disputeCount;
        IPanelArbitrator.PanelDispute storage dispute = _disputes[disputeId];
        dispute.arbitrable = IArbitrable(msg.sender);
        dispute.choices = choices;
        dispute.fee = msg.value;
        emit DisputeCreation(disputeId, IArbitrable(msg.sender));
    }

    function arbitrationCost(bytes calldata) external view override returns (uint256) {
        return fee;
    }

    function appeal(uint256 disputeId, bytes calldata) external payable override {
        revert LyingArbitrator_NotAppealable(disputeId);
    }

    function appealCost(uint256, bytes calldata) external pure override returns (uint256) {
        return type(uint256).max;
    }

    function appealPeriod(uint256) external pure override returns (uint256 start, uint256 end) {
        return (0, 0);
    }

    function disputeStatus(uint256) external pure override returns (DisputeStatus) {
        return DisputeStatus.Waiting;
    }

    function currentRuling(uint256) external pure override returns (uint256) {
        return 0;
    }
}
