// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Lets a test make a contract account call anything, bubbling up any revert unchanged.
abstract contract Executable {
    function execute(address target, uint256 value, bytes calldata data) external payable returns (bytes memory) {
        (bool success, bytes memory result) = target.call{ value: value }(data);
        if (!success) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
        return result;
    }
}

/// @notice A contract account (a poster, an executor or a withdrawal target) that refuses plain ETH while
/// `refusesEth` is set, so that push payments to it fail.
contract EthRefusingAccount is Executable {
    error EthRefusingAccount_Refused();

    bool public refusesEth = true;

    function setRefusesEth(bool refuses) external {
        refusesEth = refuses;
    }

    receive() external payable {
        if (refusesEth) revert EthRefusingAccount_Refused();
    }
}

/// @notice A contract account that, when it receives ETH, first reads a getter (to see what a read-only reentrancy
/// would observe) and then, if armed, calls back into a target once. It swallows the outcome of the callback so that
/// the payment itself succeeds, and records the first four bytes of the revert data for the test to inspect.
/// @dev Everything it records fits in two storage slots: the market forwards only a bounded amount of gas.
contract ReentrantAccount is Executable {
    bool public armed;
    bool public refusesEth;
    bool public reentrySucceeded;
    bytes4 public reentryErrorSelector;
    uint32 public reentryCount;
    /// @dev The first word the probe returned.
    uint256 public probeResult;

    address private _reentryTarget;
    uint256 private _reentryValue;
    bytes private _reentryData;
    address private _probeTarget;
    bytes private _probeData;

    error ReentrantAccount_Refused();

    /// @dev On the next receipt of ETH, call `target` with `data` and `value`.
    function arm(address target, bytes calldata data, uint256 value) external {
        _reentryTarget = target;
        _reentryData = data;
        _reentryValue = value;
        armed = true;
    }

    /// @dev On every receipt of ETH, staticcall `target` with `data` and keep the first word of the result.
    function setProbe(address target, bytes calldata data) external {
        _probeTarget = target;
        _probeData = data;
    }

    function setRefusesEth(bool refuses) external {
        refusesEth = refuses;
    }

    receive() external payable {
        _onReceive();
    }

    function _onReceive() private {
        if (refusesEth) revert ReentrantAccount_Refused();
        if (_probeTarget != address(0)) {
            (bool probed, bytes memory result) = _probeTarget.staticcall(_probeData);
            if (probed && result.length >= 32) probeResult = abi.decode(result, (uint256));
        }
        if (!armed) return;
        armed = false;
        (bool success, bytes memory revertData) = _reentryTarget.call{ value: _reentryValue }(_reentryData);
        reentrySucceeded = success;
        if (!success && revertData.length >= 4) reentryErrorSelector = bytes4(revertData);
        reentryCount += 1;
    }
}

/// @notice A contract account whose `receive` burns every unit of gas it is given.
contract GasGuzzlingAccount is Executable {
    uint256 public sink;

    receive() external payable {
        _burnAllGas();
    }

    function _burnAllGas() private {
        while (true) {
            sink += 1;
        }
    }
}

/// @notice A contract account whose `receive` reverts with `bombSize` bytes of revert data, hoping that the payer
/// copies them into memory and pays for it.
contract ReturnBombAccount is Executable {
    uint256 public immutable bombSize;

    constructor(uint256 bombSize_) {
        bombSize = bombSize_;
    }

    receive() external payable {
        _revertWithBomb();
    }

    function _revertWithBomb() private view {
        uint256 size = bombSize;
        assembly ("memory-safe") {
            revert(0, size)
        }
    }
}

/// @notice A contract account that accepts ETH but needs a lot of gas to do so: each receipt writes fresh storage.
contract GasHungryAccount is Executable {
    uint256 public constant SLOTS_PER_RECEIPT = 8;

    uint256 public receipts;
    mapping(uint256 slot => uint256 value) public scratch;

    receive() external payable {
        _writeFreshSlots();
    }

    function _writeFreshSlots() private {
        uint256 base = receipts * SLOTS_PER_RECEIPT;
        for (uint256 i = 0; i < SLOTS_PER_RECEIPT; ++i) {
            scratch[base + i] = msg.value + i + 1;
        }
        receipts += 1;
    }
}
