import * as path from "node:path";
import type { Evaluation } from "../engine/evaluate";
import { UserInputError } from "../catalog/errors";
import { fromRoot } from "../catalog/paths";
import { CONFIG_NAMESPACE } from "../catalog/scenario-file";
import { inputsFromFile } from "../cli/commands/evaluate";
import { evaluate } from "../engine/evaluate";
import { sensitivity, type Sensitivity } from "../engine/sensitivity";
import { SECRET_CONFIG_KEYS } from "../infra/config";
import { createStack } from "../infra/program";
import { PolicyPackProcess, type AnalyzeResult, type EnforcementLevel, type PolicyPackConfig } from "./analyzer";
import { collectResources, type CollectedResource } from "./collect";
import { startEngine, type ProgramDiagnostic } from "./engine";
import { readStackConfig } from "./stack-files";

/** A violation as the preview reports it. */
export interface PreviewViolation {
  message: string;
  urn: string | undefined;
  /** The level this diagnostic carries: the policy's, or advisory for "can't run during preview" and accepted overrides. */
  enforcementLevel: EnforcementLevel;
}

/** One policy's result. */
export interface PreviewPolicy {
  name: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  violations: PreviewViolation[];
  /** Why the policy passed without applying (no GPU pools, the API not allowed, ...). */
  notApplicable: string[];
}

/** A resource the program declared, with the inputs the policies saw (secrets masked). */
export interface PreviewResource {
  type: string;
  name: string;
  urn: string;
  parent: string | undefined;
  dependencies: string[];
  inputs: Record<string, unknown>;
}

/** The offline preview's result: the `--format json` contract. */
export interface PreviewResult {
  stack: string;
  project: string;
  policyPack: { name: string; version: string; dir: string };
  resources: PreviewResource[];
  /** What the program logged (its own verdict line, warnings), as `pulumi preview` lists under Diagnostics. */
  diagnostics: ProgramDiagnostic[];
  policies: PreviewPolicy[];
  /** True when a mandatory policy reported a violation. */
  blocked: boolean;
  /** The same object as `breakeven evaluate Pulumi.<stack>.yaml --format json`. */
  verdict: Evaluation;
  /** How the verdict moves with each input (`breakeven sensitivity`); absent only in hand-built results. */
  sensitivity?: Sensitivity | undefined;
}

/** Pulumi's secret envelope in serialized properties. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export { UNKNOWN } from "./collect";

/** Inputs with every secret replaced by "[secret]", so a report never carries a credential. */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  if (SECRET_SIG in obj && "value" in obj) return "[secret]";
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, maskSecrets(v)]));
}

/** Where `npm run build` puts the compiled pack (with its manifest copied next to it). */
export function compiledPackDir(): string {
  return fromRoot("dist", "policies");
}

/** Options of an offline preview. */
export interface PreviewOptions {
  /** Policy pack folder. Defaults to the compiled pack in dist/policies. */
  packDir?: string;
  /** Policy config, as `pulumi preview --policy-pack-config` reads it. Defaults to none (every policy at its default). */
  policyConfig?: PolicyPackConfig;
  /** Today's date, for price-age warnings in the verdict. Defaults to today. */
  today?: string;
}

/**
 * The offline preview: evaluates the stack file, runs the program under
 * mocks in preview mode, and sends every resource through the real policy
 * pack over the analyzer protocol (GetAnalyzerInfo, Configure, Analyze per
 * resource, AnalyzeStack). One stack per process (Pulumi's mocks are global).
 */
export async function runPreview(stack: string, opts: PreviewOptions = {}): Promise<PreviewResult> {
  const secrets = Object.values(SECRET_CONFIG_KEYS).map((k) => `${CONFIG_NAMESPACE}:${k}`);
  const stackConfig = readStackConfig(stack, secrets);
  // Relative to the working directory, so the verdict names the file as `breakeven evaluate Pulumi.<stack>.yaml` does.
  const { inputs } = inputsFromFile(path.relative(process.cwd(), stackConfig.file) || stackConfig.file, opts.today);
  const evaluation = evaluate(inputs);
  const packDir = path.resolve(opts.packDir ?? compiledPackDir());
  // Start the pack first: its start-up (about a second) overlaps the program run.
  const packStarting = PolicyPackProcess.start(packDir);
  packStarting.catch(() => undefined);
  const engine = await startEngine();
  let collected: CollectedResource[];
  try {
    collected = (await collectResources(stackConfig, createStack, engine.address)).resources;
  } catch (err) {
    void packStarting.then((p) => p.stop(), () => undefined);
    throw err;
  } finally {
    engine.stop();
  }
  const pack = await packStarting.catch((err: Error) => {
    throw new UserInputError(packDir, "", `is not a runnable policy pack (run \`npm run build\` for dist/policies): ${err.message.split("\n")[0]}`);
  });
  try {
    const info = await pack.info();
    const levels = await pack.configure(info.policies, opts.policyConfig ?? {});
    const descriptions = new Map(info.policies.map((p) => [p.name, p.description]));
    const results: AnalyzeResult[] = [];
    for (const r of collected) results.push(await pack.analyze(r, descriptions));
    results.push(await pack.analyzeStack(collected, descriptions));
    const policies: PreviewPolicy[] = info.policies.map((p) => ({
      name: p.name,
      description: p.description,
      enforcementLevel: levels.get(p.name) ?? p.enforcementLevel,
      violations: results.flatMap((res) => res.diagnostics.filter((d) => d.policyName === p.name).map(({ message, urn, enforcementLevel }) => ({ message, urn, enforcementLevel }))),
      notApplicable: [...new Set(results.flatMap((res) => res.notApplicable.filter((n) => n.policyName === p.name).map((n) => n.reason)))],
    }));
    return {
      stack,
      project: stackConfig.project,
      policyPack: { name: info.name, version: info.version, dir: path.relative(fromRoot(), packDir) || "." },
      diagnostics: engine.diagnostics,
      resources: collected.map((r) => ({ type: r.type, name: r.name, urn: r.urn, parent: r.parent, dependencies: r.dependencies, inputs: maskSecrets(r.inputs) as Record<string, unknown> })),
      policies,
      blocked: policies.some((p) => p.violations.some((v) => v.enforcementLevel === "mandatory")),
      verdict: evaluation,
      sensitivity: sensitivity(inputs),
    };
  } finally {
    pack.stop();
  }
}
