// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice A stand-in for a smart account (an executor, a poster or a fee recipient that is a contract). Anyone can
/// make it call anything: tests drive it with `execute`. Whether it accepts plain ETH transfers can be switched.
contract ContractAccount {
    error ContractAccount_EthRejected();

    bool public acceptsEth = true;

    function setAcceptsEth(bool accepts) external {
        acceptsEth = accepts;
    }

    /// @dev Calls `target` with `value` and `data`, bubbling up any revert unchanged.
    function execute(address target, uint256 value, bytes calldata data) external payable returns (bytes memory) {
        (bool success, bytes memory result) = target.call{ value: value }(data);
        if (!success) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
        return result;
    }

    receive() external payable {
        if (!acceptsEth) revert ContractAccount_EthRejected();
    }
}

/// @notice Accepts ETH but needs more gas than the market forwards with a push payment: each receipt writes several
/// fresh storage slots. With the full gas of a withdrawal it succeeds.
contract GasHungryReceiver {
    uint256 public constant SLOTS_PER_RECEIPT = 6;

    uint256 public receipts;
    mapping(uint256 slot => uint256 value) public scratch;

    function execute(address target, bytes calldata data) external returns (bytes memory) {
        (bool success, bytes memory result) = target.call(data);
        if (!success) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
        return result;
    }

    // solhint-disable-next-line no-complex-fallback
    receive() external payable {
        uint256 base = receipts * SLOTS_PER_RECEIPT;
        for (uint256 i = 0; i < SLOTS_PER_RECEIPT; ++i) {
            scratch[base + i] = msg.value + i + 1;
        }
        receipts += 1;
    }
}

/// @notice On receiving ETH, calls back into `target` with `reentryData` and records the revert data of that call,
/// so a test can check which guard stopped it.
contract ReentrantReceiver {
    address public target;
    bytes public reentryData;
    bool public reentered;
    bytes public reentryRevertData;

    function setReentry(address target_, bytes calldata reentryData_) external {
        target = target_;
        reentryData = reentryData_;
    }

    function execute(address callee, uint256 value, bytes calldata data) external payable returns (bytes memory) {
        (bool success, bytes memory result) = callee.call{ value: value }(data);
        if (!success) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
        return result;
    }

    // solhint-disable-next-line no-complex-fallback
    receive() external payable {
        if (target == address(0) || reentered) return;
        reentered = true;
        (bool success, bytes memory result) = target.call(reentryData);
        if (!success) reentryRevertData = result;
    }
}
