import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { PublicNetworkProtocolModule } from "./Protocol.js";

/**
 * The whole protocol (`PublicNetworkProtocolModule`: owner and fee recipient must be given), with `arbiters` seated on
 * its panel arbitrator in the same deployment: what `npm run deploy` deploys to a public network (scripts/deploy.ts).
 *
 * The arbiters are a list of addresses known when the module is built (the `arbiters` of the deployment's parameters
 * file, under `ArbitrationPanel`), because an Ignition module cannot loop over a parameter's value. They are added by
 * the deploying account, which must then be the protocol's `owner`: when the owner is another account (a multisig),
 * deploy with no arbiters and let the owner call `addArbiter` itself. An empty list deploys the protocol alone.
 *
 * Each `addArbiter` call is its own future, named after the arbiter, so that resuming or extending a deployment with
 * more arbiters seats only the new ones.
 */
export function buildArbitrationPanelModule(arbiters: readonly string[]) {
  return buildModule("ArbitrationPanel", (m) => {
    const protocol = m.useModule(PublicNetworkProtocolModule);
    for (const arbiter of arbiters) {
      m.call(protocol.panelArbitrator, "addArbiter", [arbiter], {
        from: m.getAccount(0),
        id: `addArbiter_${arbiter.toLowerCase()}`,
      });
    }
    // Everything the protocol module returns, so that one deployment yields the whole protocol.
    return protocol;
  });
}
