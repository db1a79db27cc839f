// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { MockERC20 } from "./MockERC20.sol";

/// @notice A malicious ERC-20 that, once armed, calls back into a target from inside `transferFrom` (a deposit) or
/// `transfer` (a payment out). It can also skip the transfer it was asked to make, to try to have a nested deposit
/// counted twice. The outcome of the callback is swallowed and recorded.
contract ReentrantToken is MockERC20 {
    enum Hook {
        None,
        TransferFrom,
        Transfer
    }

    Hook public hook;
    bool public skipArmedTransfer;
    bool public reentrySucceeded;
    bytes4 public reentryErrorSelector;
    uint32 public reentryCount;

    address private _reentryTarget;
    bytes private _reentryData;

    constructor() MockERC20("Reentrant Token", "REENT", 18) {}

    /// @dev On the next call of `hook_`, call `target` with `data`; if `skipTransfer`, then return true without moving
    /// any token.
    function arm(Hook hook_, address target, bytes calldata data, bool skipTransfer) external {
        hook = hook_;
        _reentryTarget = target;
        _reentryData = data;
        skipArmedTransfer = skipTransfer;
    }

    /// @dev Lets the token itself act as a poster or executor that pays with its own balance.
    function approveFromSelf(address spender, uint256 amount) external {
        _approve(address(this), spender, amount);
    }

    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        if (hook == Hook.TransferFrom && _reenter()) return true;
        return super.transferFrom(from, to, value);
    }

    function transfer(address to, uint256 value) public override returns (bool) {
        if (hook == Hook.Transfer && _reenter()) return true;
        return super.transfer(to, value);
    }

    /// @return skip Whether the armed transfer should be skipped.
    function _reenter() private returns (bool skip) {
        hook = Hook.None;
        (bool success, bytes memory revertData) = _reentryTarget.call(_reentryData);
        reentrySucceeded = success;
        if (!success && revertData.length >= 4) reentryErrorSelector = bytes4(revertData);
        reentryCount += 1;
        skip = skipArmedTransfer;
    }
}
