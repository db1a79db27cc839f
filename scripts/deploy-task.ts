// The `deploy` task (`npm run deploy -- --network <name>`), declared here for hardhat.config.ts; its action is
// scripts/deploy.ts, loaded only when the task runs. See docs/deployment.md.
import { task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";

export const deployTask = task(
  "deploy",
  "Deploy the TaskMarket protocol to --network, write deployments/<name>.json and indexer/subgraph.<name>.yaml",
)
  .addOption({
    name: "deploymentName",
    description:
      "The deployment's name: deployments/<name>.json, ignition/deployments/<name>/, the default parameters file " +
      "(default: the network's name)",
    type: ArgumentType.STRING_WITHOUT_DEFAULT,
    defaultValue: undefined,
  })
  .addOption({
    name: "parameters",
    description: "The Ignition parameters file (default: ignition/parameters/<name>.json)",
    type: ArgumentType.STRING_WITHOUT_DEFAULT,
    defaultValue: undefined,
  })
  .addOption({
    name: "publicRpcUrl",
    description:
      "The RPC URL written into the deployment record, which is committed (default: the chain's public endpoint; " +
      "required on a chain scripts/networks.ts does not list)",
    type: ArgumentType.STRING_WITHOUT_DEFAULT,
    defaultValue: undefined,
  })
  .addOption({
    name: "graphNetwork",
    description:
      "The chain's name in the subgraph manifest (default: The Graph's name for a listed chain, else <name>)",
    type: ArgumentType.STRING_WITHOUT_DEFAULT,
    defaultValue: undefined,
  })
  .addOption({
    name: "output",
    description: "Where to write the deployment record (default: deployments/<name>.json)",
    type: ArgumentType.STRING_WITHOUT_DEFAULT,
    defaultValue: undefined,
  })
  .addFlag({ name: "verify", description: "Verify the contracts on the configured block explorers afterwards" })
  .addFlag({ name: "noCompile", description: "Deploy the contracts as last compiled, without compiling first" })
  .setAction(() => import("./deploy.ts"))
  .build();
