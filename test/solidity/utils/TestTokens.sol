// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { MockERC20 } from "../mocks/MockERC20.sol";

/// @notice A permit token whose owner can block holders, like USDC: transfers from or to a blocked account revert.
contract BlocklistERC20 is MockERC20 {
    error BlocklistERC20_Blocked(address account);

    mapping(address account => bool blocked) public isBlocked;

    constructor() MockERC20("Blocklist USD", "BUSD", 6) {}

    function setBlocked(address account, bool blocked) external {
        isBlocked[account] = blocked;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (isBlocked[from]) revert BlocklistERC20_Blocked(from);
        if (isBlocked[to]) revert BlocklistERC20_Blocked(to);
        super._update(from, to, value);
    }
}

/// @notice A token that burns 1 % (at least one unit) of every transfer between holders while its fee is on, so the
/// receiver gets less than was sent. Minting is exact. The fee can be switched, as some real tokens allow.
contract FeeOnTransferERC20 is MockERC20 {
    bool public feeOn = true;

    constructor() MockERC20("Fee USD", "FUSD", 18) {}

    function setFeeOn(bool on) external {
        feeOn = on;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (!feeOn || from == address(0) || to == address(0) || value == 0) {
            super._update(from, to, value);
            return;
        }
        uint256 burned = value / 100 == 0 ? 1 : value / 100;
        if (burned > value) burned = value;
        super._update(from, address(0), burned);
        super._update(from, to, value - burned);
    }
}
