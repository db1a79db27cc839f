import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * Deploys the executor registry and the task market that checks claims against it.
 *
 * Parameters (module id `TaskMarket`):
 * - `owner`: the account that may change the fee, the fee recipient and pause new tasks. Default: account 0.
 * - `feeBps`: the protocol fee in basis points, snapshotted into every task created while it is set. At most 500
 *   (the contract's hard cap). Default: 100 (1 %).
 * - `feeRecipient`: where protocol fees are paid. Default: account 1.
 *
 * The defaults suit the local chain, where every account is a funded dev account. On any other network pass the
 * parameters explicitly, for example with `hardhat ignition deploy --parameters <file.json>`.
 */
export default buildModule("TaskMarket", (m) => {
  const owner = m.getParameter("owner", m.getAccount(0));
  const feeBps = m.getParameter("feeBps", 100);
  const feeRecipient = m.getParameter("feeRecipient", m.getAccount(1));

  const executorRegistry = m.contract("ExecutorRegistry");
  const taskMarket = m.contract("TaskMarket", [owner, executorRegistry, feeBps, feeRecipient]);

  return { executorRegistry, taskMarket };
});
