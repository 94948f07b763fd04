import * as fs from "node:fs";
import * as path from "node:path";
import { fromRoot } from "../catalog/paths";

/** The files that make a folder a policy pack besides its code: the pack version and the runtime. */
export const PACK_MANIFEST_FILES = ["package.json", "PulumiPolicy.yaml"] as const;

/**
 * Copies the pack's manifest files next to its compiled code, so
 * `dist/policies` is a pack the offline preview can launch like the CLI
 * does (run-policy-pack reads the version from package.json in the working
 * directory) without ts-node type-checking the sources at every start.
 * Runs after `npm run build` (the `postbuild` script).
 */
export function copyPackManifest(source = fromRoot("policies"), target = fromRoot("dist", "policies")): string[] {
  fs.mkdirSync(target, { recursive: true });
  return PACK_MANIFEST_FILES.map((f) => {
    fs.copyFileSync(path.join(source, f), path.join(target, f));
    return path.join(target, f);
  });
}

if (require.main === module) copyPackManifest();
