import * as fs from "node:fs";
import * as path from "node:path";

let cached: string | undefined;

/**
 * The project's root folder (the one whose package.json is llm-breakeven's).
 * Found by walking up from this file, so it is the same from the TypeScript
 * sources, the compiled `dist/`, and the policy pack's own folder; in the
 * bundled, publishable pack it is the pack folder (its package.json has
 * `llmBreakevenRoot: true`).
 */
export function projectRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, "package.json");
    if (fs.existsSync(pkg)) {
      try {
        const manifest = JSON.parse(fs.readFileSync(pkg, "utf8")) as { name?: unknown; llmBreakevenRoot?: unknown };
        // The published policy pack (dist/policy-pack, `npm run pack:policy`) carries its data beside it and says so.
        if (manifest.name === "llm-breakeven" || manifest.llmBreakevenRoot === true) return (cached = dir);
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
