// Hardhat's simulation engine (EDR) ships its native binary as a platform package that declares
// `engines.node >= 22`. npm running on an older system Node skips that optional package even when it is pinned,
// and Hardhat then cannot start, although it runs on the project-local Node 22. This postinstall step unpacks
// the exact binary package matching the installed `@nomicfoundation/edr` when it is missing.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const isGlibcLinuxX64 =
  process.platform === "linux" && process.arch === "x64" && !!process.report?.getReport().header.glibcVersionRuntime;

function main() {
  if (!isGlibcLinuxX64) return;
  // The package's `exports` hide package.json from require.resolve: read it from the installed tree.
  const edrPackageJson = join(process.cwd(), "node_modules", "@nomicfoundation", "edr", "package.json");
  if (!existsSync(edrPackageJson)) return; // Hardhat is not installed (for example with --omit=dev).
  const binaryPackage = "@nomicfoundation/edr-linux-x64-gnu";
  const edrVersion = JSON.parse(readFileSync(edrPackageJson, "utf8")).version;
  const target = join(process.cwd(), "node_modules", binaryPackage);
  if (existsSync(join(target, "package.json"))) {
    const installed = JSON.parse(readFileSync(join(target, "package.json"), "utf8")).version;
    if (installed === edrVersion) return;
  }

  const scratch = mkdtempSync(join(tmpdir(), "edr-"));
  try {
    const tarball = execFileSync(
      "npm",
      ["pack", `${binaryPackage}@${edrVersion}`, "--pack-destination", scratch, "--silent"],
      { encoding: "utf8" },
    ).trim();
    rmSync(target, { recursive: true, force: true });
    mkdirSync(target, { recursive: true });
    execFileSync("tar", ["-xzf", join(scratch, tarball.split("\n").pop()), "-C", target, "--strip-components=1"]);
    console.log(`installed ${binaryPackage}@${edrVersion}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main();
