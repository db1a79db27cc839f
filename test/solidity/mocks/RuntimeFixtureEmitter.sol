// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Emits the events of the graph node's runtime fixture subgraph (test/fixtures/indexer/runtime-subgraph) on a
/// real chain, so that tests can drive its handlers, including the ones that fail on purpose, through the whole node.
contract RuntimeFixtureEmitter {
    event Family(bytes32 indexed parent, uint8 children, uint8 removeChild);
    event Failure(uint8 indexed mode, string reason);

    function family(bytes32 parent, uint8 children, uint8 removeChild) external {
        emit Family(parent, children, removeChild);
    }

    function fail(uint8 mode, string calldata reason) external {
        emit Failure(mode, reason);
    }
}
