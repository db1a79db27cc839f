// What the disputable modules (ReviewModule, AttestationModule, OptimisticModule) tell their arbitrator about a
// dispute. An arbitrator may price a dispute by its parties, so a client that quotes the deposit of a challenge or a
// dispute must ask `arbitrationCost` with the same extra data the module will send.
import { encodeAbiParameters, type Address, type Hex } from "viem";

/** The parties of a dispute, in the order `DisputableModule._arbitratorExtraData` lists them. */
export interface DisputeParties {
  poster: Address;
  /** Who raises the dispute (or challenges). */
  claimant: Address;
  /** Who answers it. */
  respondent: Address;
  /** The executor registry's `operatorOf(executor)`: the zero address for a human without an operator. */
  operator: Address;
}

/** `abi.encode(address[] [poster, claimant, respondent, operator])`: the extra data the module hands its arbitrator. */
export function arbitratorExtraData(parties: DisputeParties): Hex {
  return encodeAbiParameters(
    [{ type: "address[]" }],
    [[parties.poster, parties.claimant, parties.respondent, parties.operator]],
  );
}
