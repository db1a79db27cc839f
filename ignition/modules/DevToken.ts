import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * Deploys an ERC-20 with ERC-2612 permit and a public `mint`, for trying ERC-20 tasks on the local chain. Anyone can
 * mint it: never deploy it to a network where tokens are worth something.
 *
 * Parameters (module id `DevToken`): `name`, `symbol`, `decimals`.
 */
export default buildModule("DevToken", (m) => {
  const name = m.getParameter("name", "TaskMarket Dev Token");
  const symbol = m.getParameter("symbol", "TMDEV");
  const decimals = m.getParameter("decimals", 18);

  // The fully qualified name keeps this module pointing at the right mock as more test tokens are added.
  const devToken = m.contract("test/solidity/mocks/MockERC20.sol:MockERC20", [name, symbol, decimals], {
    id: "MockERC20",
  });

  return { devToken };
});
