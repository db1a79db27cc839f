import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import ProtocolModule from "./Protocol.js";

/** Dev accounts that sit on the local panel: the last three of Hardhat's twenty, which nothing else uses by default. */
const LOCAL_ARBITER_ACCOUNTS = [17, 18, 19];

/**
 * Seats a three-member panel on the protocol's arbitrator, so that disputes can be raised and ruled on the local
 * chain: a dispute needs at least one eligible arbiter, and three give a majority of two.
 *
 * For the local chain only. The arbiters are added by account 0, which must be the protocol's `owner` (its default).
 * On any other network the owner chooses the panel and adds it with `addArbiter`.
 *
 * Parameters (module id `LocalArbitrationPanel`): `arbiter1`, `arbiter2`, `arbiter3`. Default: accounts 17, 18, 19.
 */
export default buildModule("LocalArbitrationPanel", (m) => {
  const protocol = m.useModule(ProtocolModule);

  LOCAL_ARBITER_ACCOUNTS.forEach((accountIndex, index) => {
    const arbiter = m.getParameter(`arbiter${index + 1}`, m.getAccount(accountIndex));
    m.call(protocol.panelArbitrator, "addArbiter", [arbiter], { from: m.getAccount(0), id: `addArbiter${index + 1}` });
  });

  // Everything the protocol module returns, so that deploying this module alone yields the whole protocol.
  return protocol;
});
