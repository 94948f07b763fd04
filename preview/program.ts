import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { UserInputError } from "../catalog/errors";
import type { PulumiProjectFile } from "./stack-files";

/**
 * The entry module of a Pulumi Node.js project, as the language host finds
 * it (@pulumi/pulumi cmd/run/run.js): Pulumi.yaml `main` (a file, or a
 * folder with index.ts/index.js), else package.json `main`, else index.
 */
export function programEntry(root: string, project: PulumiProjectFile): string {
  const runtime = typeof project.runtime === "string" ? project.runtime : project.runtime.name;
  if (runtime !== "nodejs")
    throw new UserInputError(
      path.join(root, "Pulumi.yaml"),
      "runtime",
      `is ${JSON.stringify(runtime)}; the offline preview runs Node.js programs (runtime: nodejs)`,
    );
  let main = path.resolve(root, project.main ?? ".");
  if (!project.main) {
    const pkg = path.join(root, "package.json");
    const pkgMain = fs.existsSync(pkg)
      ? (JSON.parse(fs.readFileSync(pkg, "utf8")) as { main?: unknown }).main
      : undefined;
    if (typeof pkgMain === "string") main = path.resolve(root, pkgMain);
  }
  if (fs.existsSync(main) && fs.statSync(main).isDirectory()) {
    const index = ["index.ts", "index.js"].map((f) => path.join(main, f)).find((f) => fs.existsSync(f));
    if (!index)
      throw new UserInputError(
        path.join(root, "Pulumi.yaml"),
        "main",
        `${JSON.stringify(project.main ?? ".")} has no index.ts or index.js`,
      );
    return index;
  }
  for (const candidate of [main, `${main}.ts`, `${main}.js`])
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  throw new UserInputError(
    path.join(root, "Pulumi.yaml"),
    "main",
    `${JSON.stringify(project.main ?? ".")} does not exist`,
  );
}

let registered = false;

/**
 * Lets `require` load TypeScript as `pulumi preview` does for a nodejs
 * project: the ts-node and typescript that @pulumi/pulumi's tsutils picks
 * (the project's, else the ones it vendors), transpile only, CommonJS.
 * Type errors are the compiler's business, not the preview's.
 */
function registerTypeScript(fromDir: string): void {
  if (registered) return;
  const req = createRequire(path.join(fromDir, "noop.js"));
  const pulumiDir = path.dirname(req.resolve("@pulumi/pulumi/package.json"));
  const tsutils = createRequire(path.join(pulumiDir, "package.json"))("./tsutils.js") as {
    typeScriptRequireStrings(): { tsnodeRequire: string; typescriptRequire: string };
  };
  const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
  const tsnode = req(tsnodeRequire) as { register(o: object): void };
  const ts = req(typescriptRequire) as { version: string };
  // cmd/run/run.js: nodenext for TypeScript 4.7 and later, commonjs/node for the vendored 3.8.
  const [major = 0, minor = 0] = ts.version.split(".").map(Number);
  const nodeNext = major > 4 || (major === 4 && minor >= 7);
  tsnode.register({
    compiler: typescriptRequire,
    transpileOnly: true,
    skipProject: !fs.existsSync(path.join(fromDir, "tsconfig.json")),
    project: path.join(fromDir, "tsconfig.json"),
    compilerOptions: {
      target: "ES2020",
      module: nodeNext ? "nodenext" : "commonjs",
      moduleResolution: nodeNext ? "nodenext" : "node",
      sourceMap: true,
    },
  });
  registered = true;
}

/** A function that runs the project's program (requires its entry module), TypeScript or JavaScript. */
export function loadProgram(root: string, project: PulumiProjectFile): () => unknown {
  const entry = programEntry(root, project);
  if (entry.endsWith(".ts")) registerTypeScript(root);
  return () => createRequire(entry)(entry) as unknown;
}
