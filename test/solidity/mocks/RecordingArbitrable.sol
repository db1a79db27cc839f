// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IArbitrable } from "../../../contracts/interfaces/arbitration/IArbitrable.sol";
import { IArbitrator } from "../../../contracts/interfaces/arbitration/IArbitrator.sol";

/// @notice An arbitrable that opens disputes and records the rulings it receives; it can be told to reject them.
contract RecordingArbitrable is IArbitrable {
    IArbitrator public immutable arbitrator;
    bool public rejectRulings;
    uint256 public lastDisputeId;
    uint256 public lastRuling;
    uint256 public rulingsReceived;

    constructor(IArbitrator arbitrator_) {
        arbitrator = arbitrator_;
    }

    receive() external payable {}

    function openDispute(uint256 choices, address[] calldata parties) external payable returns (uint256) {
        return arbitrator.createDispute{ value: msg.value }(choices, abi.encode(parties));
    }

    function setRejectRulings(bool reject) external {
        rejectRulings = reject;
    }

    function rule(uint256 disputeId, uint256 ruling) external override {
        require(msg.sender == address(arbitrator), "only arbitrator");
        require(!rejectRulings, "rulings rejected");
        lastDisputeId = disputeId;
        lastRuling = ruling;
        rulingsReceived += 1;
        emit Ruling(arbitrator, disputeId, ruling);
    }

    function withdrawFromArbitrator() external {
        (bool success, ) = address(arbitrator).call(abi.encodeWithSignature("withdraw()"));
        require(success, "withdraw failed");
    }
}
