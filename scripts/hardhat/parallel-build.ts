// Compiles on every core. Hardhat runs its compilation jobs one fewer at a time than there are cores, which on a
// two-core machine is one: the IR pipeline's jobs (the market, the modules) and the legacy one (tests and mocks) then
// wait for each other, and the first `npm start` or `npm test` on a fresh clone spends most of its time compiling.
// solc-js runs each job in its own process, so the jobs share nothing but the machine.
import { availableParallelism } from "node:os";

import type { HardhatPlugin } from "hardhat/types/plugins";
import type { SolidityHooks } from "hardhat/types/hooks";

export const parallelBuild: HardhatPlugin = {
  id: "taskmarket-parallel-build",
  hookHandlers: {
    solidity: async () => ({
      default: async (): Promise<Partial<SolidityHooks>> => ({
        build: (context, rootFilePaths, options, next) =>
          next(context, rootFilePaths, { ...options, concurrency: options?.concurrency ?? availableParallelism() }),
      }),
    }),
  },
};
