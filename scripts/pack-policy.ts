import * as esbuild from "esbuild";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * `npm run pack:policy`: writes dist/policy-pack/, the folder `pulumi policy
 * publish` uploads. The CLI publishes what `npm pack` takes from the pack
 * folder, and an enforcing stack unpacks it elsewhere and installs its
 * package.json dependencies there (pkg/backend/httpstate/policypack.go
 * Publish and installRequiredPolicy, pulumi/pulumi@1b594989): so the folder
 * holds everything the pack reads, and nothing may point outside it.
 *
 * - index.js: policies/index.ts with the engine and catalog code bundled by
 *   esbuild; only the packages that must be real installs stay external.
 * - package.json: those packages at the versions this project runs and tests
 *   with, the root's version, and the marker catalog/paths.ts looks for.
 * - npm-shrinkwrap.json: the root lockfile's tree for those packages.
 * - PulumiPolicy.yaml, and the catalog data the pack loads (catalog/data,
 *   model-configs, calibration/constants.json, and the GPUs' measured
 *   efficiencies calibration/data/hardware-efficiency.csv).
 */
const root = path.resolve(__dirname, "..");
const out = path.join(root, "dist", "policy-pack");

/** Packages the bundle leaves to `npm install`: the policy SDK and the Pulumi runtime it serves with, and the API price data read from its own package. */
export const PACK_RUNTIME_DEPENDENCIES = ["@pulumi/policy", "@pulumi/pulumi", "@pydantic/genai-prices"] as const;

/** What the pack reads at run time, relative to the project root (and so to the pack folder). */
export const PACK_DATA = [
  "catalog/data",
  "model-configs",
  "calibration/constants.json",
  "calibration/data/hardware-efficiency.csv",
] as const;

function installedVersion(pkg: string): string {
  const text = fs.readFileSync(path.join(root, "node_modules", ...pkg.split("/"), "package.json"), "utf8");
  return String((JSON.parse(text) as { version: string }).version).replace(/^v/, "");
}

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  dev?: boolean;
  devOptional?: boolean;
  [key: string]: unknown;
}

/** Where a package at lock path `from` finds `dep`, as Node resolves it: its own node_modules, then each parent's. */
function resolveInLock(packages: Record<string, LockEntry>, from: string, dep: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ""}node_modules/${dep}`;
    if (packages[candidate]) return candidate;
    if (!dir) return undefined;
    const cut = dir.lastIndexOf("/node_modules/");
    dir = cut < 0 ? "" : dir.slice(0, cut);
  }
}

/**
 * npm-shrinkwrap.json for the pack: the part of the root's package-lock.json
 * its dependencies reach, so the enforcing side installs exactly the tested
 * tree (npm publishes npm-shrinkwrap.json with a package and never
 * package-lock.json; `npm install` honours it), and `npm install --offline`
 * can run from a cache that holds the tarballs.
 */
export function packShrinkwrap(
  rootLock: { packages: Record<string, LockEntry> },
  pkg: { name: string; version: string; dependencies: Record<string, string> },
) {
  const packages: Record<string, LockEntry> = {
    "": { name: pkg.name, version: pkg.version, license: "Apache-2.0", dependencies: pkg.dependencies },
  };
  const queue: [string, string, boolean][] = Object.keys(pkg.dependencies).map((d) => ["", d, true]);
  while (queue.length) {
    const [from, dep, required] = queue.shift()!;
    const at = resolveInLock(rootLock.packages, from, dep);
    // An optional or peer dependency the root did not install (ts-node, typescript for @pulumi/pulumi) is not needed.
    if (!at && !required) continue;
    if (!at) throw new Error(`package-lock.json has no ${dep} for ${from || "the pack"}: run npm install at the root`);
    if (packages[at]) continue;
    const { dev, devOptional, ...entry } = rootLock.packages[at]!;
    void dev;
    void devOptional;
    packages[at] = entry;
    for (const d of Object.keys(entry.dependencies ?? {})) queue.push([at, d, true]);
    for (const d of Object.keys({ ...entry.optionalDependencies, ...entry.peerDependencies }))
      queue.push([at, d, false]);
  }
  return { name: pkg.name, version: pkg.version, lockfileVersion: 3, requires: true, packages };
}

/** Builds the folder; returns its path. */
export async function buildPolicyPack(target = out): Promise<string> {
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(target, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(root, "policies", "index.ts")],
    outfile: path.join(target, "index.js"),
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    external: [...PACK_RUNTIME_DEPENDENCIES, ...PACK_RUNTIME_DEPENDENCIES.map((d) => `${d}/*`)],
    keepNames: true,
    logLevel: "warning",
  });
  for (const entry of PACK_DATA) fs.cpSync(path.join(root, entry), path.join(target, entry), { recursive: true });
  fs.copyFileSync(path.join(root, "policies", "PulumiPolicy.yaml"), path.join(target, "PulumiPolicy.yaml"));
  const rootPkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
    version: string;
    license: string;
  };
  const pkg = {
    name: "llm-breakeven-policy-pack",
    version: rootPkg.version,
    description:
      "llm-breakeven's CrossGuard policy pack: blocks a GPU node pool whose self-hosting loses to the configured API. Built by `npm run pack:policy`; publish with `pulumi policy publish`.",
    license: rootPkg.license,
    private: true,
    main: "index.js",
    // catalog/paths.ts takes the folder with this marker as the root its data files are read from.
    llmBreakevenRoot: true,
    dependencies: Object.fromEntries(PACK_RUNTIME_DEPENDENCIES.map((d) => [d, installedVersion(d)])),
  };
  fs.writeFileSync(path.join(target, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
  const rootLock = JSON.parse(fs.readFileSync(path.join(root, "package-lock.json"), "utf8")) as {
    packages: Record<string, LockEntry>;
  };
  fs.writeFileSync(
    path.join(target, "npm-shrinkwrap.json"),
    `${JSON.stringify(packShrinkwrap(rootLock, pkg), null, 2)}\n`,
  );
  return target;
}

if (require.main === module) {
  buildPolicyPack().then(
    (dir) => console.log(`policy pack written to ${path.relative(process.cwd(), dir) || "."}`),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
