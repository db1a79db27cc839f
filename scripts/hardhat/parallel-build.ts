// Compiles on every core.
//
// Hardhat runs its compilation jobs one fewer at a time than there are cores, which on a two-core machine is one: the
// IR pipeline's jobs (the market, the modules) and the legacy one (tests and mocks) then wait for each other, and the
// first `npm start` or `npm test` on a fresh clone spends most of its time compiling. solc-js runs each job in its own
// process, so the jobs share nothing but the machine.
//
// Hardhat also merges every root file that uses the same compiler configuration object into one job, which is then
// one solc process on one core: here, all of test/solidity (well over a hundred files) in a single job that takes
// longer than every other job together. The Solidity test files are therefore spread over as many groups as there are
// cores, balanced by size, each group given its own copy of the default compiler configuration (same version, same
// settings, so the same bytecode): a group is one job, and the groups compile side by side. What a group imports is
// compiled once per group; that repeats some work, in parallel.
import { readdirSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, relative, sep } from "node:path";

import type { HardhatPlugin } from "hardhat/types/plugins";
import type { ConfigHooks, SolidityHooks } from "hardhat/types/hooks";
import type { HardhatConfig } from "hardhat/types/config";

/** Every `.sol` file under `directory`, with its size. */
function solidityFiles(directory: string): { path: string; size: number }[] {
  const files: { path: string; size: number }[] = [];
  const walk = (current: string): void => {
    let entries;
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".sol")) files.push({ path, size: statSync(path).size });
    }
  };
  walk(directory);
  return files;
}

/**
 * Splits `files` into `groups` groups of about equal total size: largest first, each into the lightest group so far.
 * Ties go by path, so the same tree always splits the same way.
 */
export function balancedGroups<T extends { path: string; size: number }>(files: readonly T[], groups: number): T[][] {
  const result: T[][] = Array.from({ length: Math.max(1, groups) }, () => []);
  const totals = result.map(() => 0);
  const ordered = [...files].sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const file of ordered) {
    let lightest = 0;
    for (let i = 1; i < totals.length; i++) if (totals[i]! < totals[lightest]!) lightest = i;
    result[lightest]!.push(file);
    totals[lightest]! += file.size;
  }
  return result;
}

/**
 * Gives the Solidity test files of every build profile with a single default compiler their group's configuration
 * (see the file's comment). Files that already have an override keep it. The first group keeps the default
 * configuration itself.
 */
export function spreadTestCompilation(config: HardhatConfig, groups = availableParallelism()): void {
  if (groups < 2) return;
  const testFiles = solidityFiles(config.paths.tests.solidity).map((file) => ({
    ...file,
    sourceName: relative(config.paths.root, file.path).split(sep).join("/"),
  }));
  for (const profile of Object.values(config.solidity.profiles)) {
    if (profile.compilers.length !== 1) continue;
    const [compiler] = profile.compilers;
    const candidates = testFiles.filter((file) => profile.overrides[file.sourceName] === undefined);
    balancedGroups(candidates, groups).forEach((group, index) => {
      if (index === 0) return;
      // One object per group: Hardhat merges the roots whose configuration is the same object into one job.
      const groupCompiler = { ...compiler! };
      for (const file of group) profile.overrides[file.sourceName] = groupCompiler;
    });
  }
}

export const parallelBuild: HardhatPlugin = {
  id: "taskmarket-parallel-build",
  hookHandlers: {
    config: async () => ({
      default: async (): Promise<Partial<ConfigHooks>> => ({
        resolveUserConfig: async (userConfig, resolveConfigurationVariable, next) => {
          const resolved = await next(userConfig, resolveConfigurationVariable);
          spreadTestCompilation(resolved);
          return resolved;
        },
      }),
    }),
    solidity: async () => ({
      default: async (): Promise<Partial<SolidityHooks>> => ({
        build: (context, rootFilePaths, options, next) =>
          next(context, rootFilePaths, { ...options, concurrency: options?.concurrency ?? availableParallelism() }),
      }),
    }),
  },
};
