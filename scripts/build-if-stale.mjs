// Builds dist/ only when a compiled source is newer than the last build, so
// `npm run preview` does not pay tsc's full type-check (about 8 s) on every run.
// The stamp is written by `npm run build`'s postbuild step (dist/.build-stamp).
import { execSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const stamp = path.join(root, "dist", ".build-stamp");
const tsconfig = JSON.parse(fs.readFileSync(path.join(root, "tsconfig.json"), "utf8"));
const inputs = [...tsconfig.include, "tsconfig.json", "package.json", "package-lock.json"];

/** Newest modification time (ms) under a file or folder, skipping node_modules. */
function newest(p) {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const e of fs.readdirSync(p)) if (e !== "node_modules") max = Math.max(max, newest(path.join(p, e)));
  return max;
}

const built = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
const changed = Math.max(...inputs.map((i) => newest(path.join(root, i))));
if (changed > built) execSync("npm run build --silent", { cwd: root, stdio: "inherit" });
