// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { IProofVerifier } from "../../../../contracts/interfaces/IProofVerifier.sol";
import { IProofModule, ProofConfig } from "../../../../contracts/interfaces/verification/IProofModule.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { ProofModule } from "../../../../contracts/verification/ProofModule.sol";
import { ProofModule_Test } from "./ProofModuleBase.sol";

contract ProofConfig_Unit_Test is ProofModule_Test {
    function test_RevertWhen_MarketIsZero() external {
        vm.expectRevert(Errors.VerificationModule_ZeroAddress.selector);
        new ProofModule(ITaskMarket(address(0)));
    }

    function test_Constants() external view {
        assertEq(address(module.market()), address(market), "market");
        assertEq(module.UNPROVEN_REASON(), keccak256("taskmarket.proof.unproven"), "UNPROVEN_REASON");
        assertEq(module.ETH_PUSH_GAS(), market.ETH_PUSH_GAS(), "pays ETH as the market does");
    }

    function testFuzz_ConfigHash_IsTheHashOfTheEncodedConfig(address proofVerifier, bytes32 commitment) external view {
        ProofConfig memory config = proofConfig(IProofVerifier(proofVerifier), commitment);
        assertEq(module.configHash(config), keccak256(abi.encode(proofVerifier, commitment)), "configHash");
    }

    function test_ConfigHash_BindsTheVerifierAndTheCommitment() external view {
        ProofConfig memory config = hashConfig();
        assertNotEq(
            module.configHash(config),
            module.configHash(proofConfig(merkleVerifier, config.commitment)),
            "verifier"
        );
        assertNotEq(
            module.configHash(config),
            module.configHash(proofConfig(hashVerifier, bytes32(uint256(config.commitment) ^ 1))),
            "commitment"
        );
    }

    function testFuzz_PublishConfig_EmitsTheConfigUnderItsHash(
        address caller,
        address proofVerifier,
        bytes32 commitment
    ) external {
        ProofConfig memory config = proofConfig(IProofVerifier(proofVerifier), commitment);

        vm.expectEmit(address(module));
        emit IProofModule.ProofConfigPublished(keccak256(abi.encode(config)), config);
        vm.prank(caller);
        module.publishConfig(config);
    }
}
