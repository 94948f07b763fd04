import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildPolicyPack, PACK_RUNTIME_DEPENDENCIES } from "../scripts/pack-policy";
import { tempDir } from "./temp-dir";

/**
 * The publishable pack, tested as Pulumi Cloud would use it: `pulumi policy
 * publish` uploads what `npm pack` takes from the folder, and an enforcing
 * stack unpacks it into a directory of its own and installs its package.json
 * dependencies there (pkg/backend/httpstate/policypack.go, pulumi/pulumi@1b594989).
 * Here: build, `npm pack`, unpack into an empty temporary directory, `npm
 * install --offline` from this machine's npm cache (no network), and drive it
 * with the offline preview, which starts it with the run-policy-pack of its own
 * node_modules as the CLI does. Needs the npm cache that `npm ci` at the root fills.
 */
const root = path.join(__dirname, "..");
const tmp = tempDir("breakeven-pack-");
let built: string;
let tarball: string;
let installed: string;

beforeAll(async () => {
  built = await buildPolicyPack(path.join(tmp, "build"));
  const packDir = path.join(tmp, "tarball");
  fs.mkdirSync(packDir);
  execFileSync("npm", ["pack", "--silent", "--pack-destination", packDir], { cwd: built, encoding: "utf8" });
  tarball = path.join(packDir, fs.readdirSync(packDir)[0]!);
  const unpacked = path.join(tmp, "enforcing");
  fs.mkdirSync(unpacked);
  execFileSync("tar", ["-xzf", tarball, "-C", unpacked]);
  installed = path.join(unpacked, "package");
  // Scripts are not run here (the CLI's install would run them; the pack needs none).
  execFileSync("npm", ["install", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", "--silent"], {
    cwd: installed,
    encoding: "utf8",
    timeout: 240_000,
  });
}, 300_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function preview(stack: string) {
  const r = spawnSync(
    process.execPath,
    [
      path.join(root, "dist", "cli", "main.js"),
      "preview",
      "--cwd",
      path.join("examples", "foreign-stack"),
      "--stack",
      stack,
      "--policy-pack",
      installed,
      "--format",
      "json",
    ],
    { cwd: root, encoding: "utf8", timeout: 120_000 },
  );
  return { code: r.status, result: JSON.parse(r.stdout || "null"), stderr: r.stderr };
}

describe("the publishable policy pack (npm run pack:policy)", () => {
  test("the tarball holds the manifest, the bundle, the shrinkwrap and the catalog data, and nothing from outside the folder", () => {
    const files = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).trim().split("\n").sort();
    expect(files).toEqual(
      expect.arrayContaining([
        "package/PulumiPolicy.yaml",
        "package/index.js",
        "package/npm-shrinkwrap.json",
        "package/package.json",
        "package/calibration/constants.json",
        "package/calibration/data/hardware-efficiency.csv",
        "package/catalog/data/machine-types.yaml",
      ]),
    );
    expect(files.some((f) => f.startsWith("package/model-configs/") && f.endsWith(".yaml"))).toBe(true);
    expect(files.every((f) => f.startsWith("package/") && !f.includes(".."))).toBe(true);
  });

  test("its code requires only Node's modules and the packages its package.json declares", () => {
    const code = fs.readFileSync(path.join(built, "index.js"), "utf8");
    const required = [...new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!))];
    const pkg = JSON.parse(fs.readFileSync(path.join(built, "package.json"), "utf8"));
    expect(Object.keys(pkg.dependencies).sort()).toEqual([...PACK_RUNTIME_DEPENDENCIES].sort());
    for (const spec of required) {
      const ok =
        spec.startsWith("node:") ||
        ["buffer", "process", "fs", "path", "os", "util", "crypto", "url", "stream", "events"].includes(spec) ||
        PACK_RUNTIME_DEPENDENCIES.some((d) => spec === d || spec.startsWith(`${d}/`));
      expect(ok, `index.js requires ${spec}`).toBe(true);
    }
  });

  test("installed from the cache into an empty directory, it blocks the foreign stack where the API wins, with the dollar figures", () => {
    expect(fs.existsSync(path.join(installed, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack"))).toBe(
      true,
    );
    const { code, result } = preview("api-wins");
    expect(code).toBe(1);
    expect(result.policyPack.version).toBe(
      JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version,
    );
    const gate = result.policies.find((p: { name: string }) => p.name === "llm-cost-verdict");
    expect(gate.violations).toEqual([
      expect.objectContaining({
        enforcementLevel: "mandatory",
        message: expect.stringMatching(
          /^Self-hosting Llama 3\.3 70B Instruct on 1 x a3-highgpu-8g \(spot\) costs \$[\d,]+ a month against \$[\d,]+ for gpt-4o; break-even needs/,
        ),
      }),
    ]);
  });

  test("and passes the one where self-hosting wins", () => {
    const { code, result } = preview("self-host-wins");
    expect(code).toBe(0);
    expect(result.blocked).toBe(false);
  });
});
