// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { TaskStatus, TaskTerms } from "../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../Base.t.sol";

contract Smoke_Test is Base_Test {
    function test_HappyPath_Eth() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        uint256 before = human.balance;
        vm.prank(poster);
        market.approve(taskId, terms);
        assertEq(uint8(market.statusOf(taskId)), uint8(TaskStatus.Settled));
        assertEq(human.balance - before, REWARD - (REWARD * FEE_BPS) / 10_000 + BOND);
    }
}
