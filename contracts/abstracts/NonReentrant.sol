// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import { Errors } from "../libraries/Errors.sol";

/// @title NonReentrant
/// @notice A reentrancy lock held in transient storage (EIP-1153): it costs a few hundred gas instead of the
/// thousands a storage lock costs, and it is released when the call returns.
/// @dev Equivalent to OpenZeppelin's `ReentrancyGuardTransient`, written with a `transient` state variable rather
/// than inline `tstore`, which the compiler flags with a warning on every build.
abstract contract NonReentrant {
    /// @dev 1 while a guarded call runs. A full word rather than a `bool`: writing a `bool` keeps the rest of its slot,
    /// which costs a transient load before each of the two writes.
    uint256 private transient _entered;

    modifier nonReentrant() {
        if (_entered != 0) revert Errors.NonReentrant_ReentrantCall();
        _entered = 1;
        _;
        _entered = 0;
    }
}
