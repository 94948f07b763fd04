import * as fs from "node:fs";
import * as path from "node:path";

let cached: string | undefined;

/**
 * The project's root folder (the one whose package.json is llm-breakeven's).
 * Found by walking up from this file, so it is the same from the TypeScript
 * sources, the compiled `dist/`, and the policy pack's own folder.
 */
export function projectRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, "package.json");
    if (fs.existsSync(pkg)) {
      try {
        if (JSON.parse(fs.readFileSync(pkg, "utf8")).name === "llm-breakeven") return (cached = dir);
      } catch {
        // not ours; keep walking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`llm-breakeven's package.json not found above ${__dirname}`);
    dir = parent;
  }
}

/** Absolute path of a file under the project root. */
export function fromRoot(...parts: string[]): string {
  return path.join(projectRoot(), ...parts);
}
