import * as path from "node:path";
import { UserInputError } from "../catalog/errors";
import { inputsFromFile } from "../catalog/inputs-from-file";
import { fromRoot, projectRoot } from "../catalog/paths";
import { evaluate, type Evaluation } from "../engine/evaluate";
import { sensitivity, type Sensitivity } from "../engine/sensitivity";
import type { PreviewPolicy, PreviewResource, PreviewResult } from "../reports/preview-result";
import { PolicyPackProcess, type AnalyzeResult, type PolicyInfo } from "./analyzer";
import { collectResources, pulumiRuntimeFrom, type CollectedResource } from "./collect";
import { startEngine } from "./engine";
import type { PreviewCase } from "./planned-state";
import { reconcilePolicyPackConfig, validatePolicyPackConfig, type AnalyzerPolicyConfig } from "./policy-config";
import { loadProgram } from "./program";
import { readProjectFile, readStackConfig, type StackConfigValues } from "./stack-files";

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
  /** The Pulumi project folder. Defaults to llm-breakeven's own. */
  cwd?: string;
  /** Which preview to play. Defaults to the first preview of a new stack. */
  previewCase?: PreviewCase;
  /** Policy pack folder. Defaults to the compiled pack in dist/policies. */
  packDir?: string;
  /** `--policy-pack-config`, parsed as the CLI parses it. Defaults to none (every policy at its default). */
  policyConfig?: Map<string, AnalyzerPolicyConfig>;
  /** Today's date, for price-age warnings in the verdict. Defaults to today. */
  today?: string;
}

/** The organization the offline preview names in ConfigureStack and the pack's environment (no Pulumi Cloud account is used). */
export const OFFLINE_ORGANIZATION = "organization";

/**
 * The environment the CLI gives a policy pack process (pkg/resource/plugin/analyzer_plugin.go
 * constructEnv, pulumi/pulumi@1b594989): the stack's config as JSON in PULUMI_CONFIG, and the
 * project, stack, organization and dry-run flag, PULUMI_NODEJS_* as well for a Node.js project.
 */
export function packEnvironment(stack: StackConfigValues, dryRun = true): Record<string, string> {
  const env: Record<string, string> = { PULUMI_CONFIG: JSON.stringify(stack.config) };
  for (const prefix of ["PULUMI_NODEJS_", "PULUMI_"]) {
    env[`${prefix}ORGANIZATION`] = OFFLINE_ORGANIZATION;
    env[`${prefix}PROJECT`] = stack.project;
    env[`${prefix}STACK`] = stack.stack;
    env[`${prefix}DRY_RUN`] = String(dryRun);
  }
  return env;
}

function previewResource(r: CollectedResource): PreviewResource {
  const o = r.options;
  return {
    type: r.type,
    name: r.name,
    urn: r.urn,
    parent: r.parent,
    dependencies: r.dependencies,
    inputs: maskSecrets(r.inputs) as Record<string, unknown>,
    options: {
      customTimeouts: o.customTimeouts,
      dependsOn: o.dependsOn,
      parent: o.parent,
      provider: o.provider,
      protect: o.protect,
      ignoreChanges: o.ignoreChanges,
    },
  };
}

/** Runs the project's program under mocks and collects its resources. */
async function runProgram(root: string, stackConfig: StackConfigValues, previewCase: PreviewCase) {
  const ours = path.resolve(root) === projectRoot();
  // Our own program runs compiled (dist/infra), the rest through @pulumi/pulumi's TypeScript loader.
  // Required lazily: the program must load after the mocks are set, and only when it is ours.
  const program = ours
    ? // eslint-disable-next-line @typescript-eslint/no-require-imports
      (require("../infra/program") as { createStack: () => unknown }).createStack
    : loadProgram(root, readProjectFile(root));
  const engine = await startEngine();
  try {
    return {
      resources: (
        await collectResources(stackConfig, program, {
          engineAddress: engine.address,
          previewCase,
          runtime: ours ? undefined : pulumiRuntimeFrom(root),
        })
      ).resources,
      diagnostics: engine.diagnostics,
    };
  } catch (err) {
    if (ours || err instanceof UserInputError) throw err;
    // A team's program that throws (a missing config key, a type error) is its author's to fix: one line, as `pulumi preview` prints it.
    const message = err instanceof Error ? err.message : String(err);
    throw new UserInputError(
      path.join(root, "Pulumi.yaml"),
      "",
      `the program failed under the offline preview: ${message.split("\n").filter((l) => l.trim())[0] ?? "unknown error"}`,
    );
  } finally {
    engine.stop();
  }
}

/** The verdict `breakeven evaluate` gives the stack file; only llm-breakeven's own stacks carry a full scenario. */
function stackVerdict(
  root: string,
  stackConfig: StackConfigValues,
  today?: string,
): { verdict: Evaluation | null; sensitivity?: Sensitivity } {
  if (path.resolve(root) !== projectRoot()) return { verdict: null };
  // Relative to the working directory, so the verdict names the file as `breakeven evaluate Pulumi.<stack>.yaml` does.
  const { inputs } = inputsFromFile(path.relative(process.cwd(), stackConfig.file) || stackConfig.file, today);
  return { verdict: evaluate(inputs), sensitivity: sensitivity(inputs) };
}

/**
 * The offline preview, driving the pack as the engine does: the pack
 * process starts with PULUMI_CONFIG in its environment; GetAnalyzerInfo,
 * the policy config reconciled and checked as the CLI checks it, Configure,
 * ConfigureStack; Analyze with each resource's inputs, in registration
 * order; AnalyzeStack once, with the outputs of the chosen preview case.
 * One stack per process (Pulumi's mocks are global).
 */
export async function runPreview(stack: string, opts: PreviewOptions = {}): Promise<PreviewResult> {
  const root = path.resolve(opts.cwd ?? projectRoot());
  const previewCase = opts.previewCase ?? "new-stack";
  const stackConfig = readStackConfig(stack, root);
  const packDir = path.resolve(opts.packDir ?? compiledPackDir());
  // The pack's start-up (about a second) overlaps the verdict (catalog load, evaluate, sensitivity) and the program run.
  const packStarting = startPack(packDir, stackConfig);
  let stackResult: ReturnType<typeof stackVerdict>;
  try {
    stackResult = stackVerdict(root, stackConfig, opts.today);
  } catch (err) {
    stopWhenStarted(packStarting);
    throw err;
  }
  const { verdict, sensitivity: sens } = stackResult;
  const { run, pack } = await runProgramBesidePack(root, stackConfig, previewCase, packDir, packStarting);
  try {
    const { info, config } = await configurePack(pack, stack, stackConfig, opts.policyConfig ?? new Map());
    const results = await analyzeInOrder(pack, run.resources, info.policies);
    const policies = policyResults(info.policies, config, results);
    return {
      stack,
      project: stackConfig.project,
      previewCase,
      policyPack: { name: info.name, version: info.version, dir: path.relative(projectRoot(), packDir) || "." },
      diagnostics: run.diagnostics,
      resources: run.resources.map(previewResource),
      policies,
      ignoredPolicyConfig: [...config.keys()].filter((k) => k !== "all" && !info.policies.some((p) => p.name === k)),
      blocked: policies.some((p) => p.violations.some((v) => v.enforcementLevel === "mandatory")),
      verdict,
      ...(sens ? { sensitivity: sens } : {}),
    };
  } finally {
    pack.stop();
  }
}

/** Starts the pack process with the stack's environment; a failure to start surfaces where it is awaited. */
function startPack(packDir: string, stackConfig: StackConfigValues): Promise<PolicyPackProcess> {
  const packStarting = PolicyPackProcess.start(packDir, { env: packEnvironment(stackConfig) });
  packStarting.catch(() => undefined);
  return packStarting;
}

/** Stops a pack process once it has started (when the preview fails before using it). */
function stopWhenStarted(packStarting: Promise<PolicyPackProcess>): void {
  void packStarting.then(
    (p) => p.stop(),
    () => undefined,
  );
}

/**
 * Runs the program while the pack process (already starting) comes up; the
 * pack is stopped when the program fails, and a pack that cannot start is
 * reported by its folder.
 */
async function runProgramBesidePack(
  root: string,
  stackConfig: StackConfigValues,
  previewCase: PreviewCase,
  packDir: string,
  packStarting: Promise<PolicyPackProcess>,
): Promise<{ run: Awaited<ReturnType<typeof runProgram>>; pack: PolicyPackProcess }> {
  let run: Awaited<ReturnType<typeof runProgram>>;
  try {
    run = await runProgram(root, stackConfig, previewCase);
  } catch (err) {
    stopWhenStarted(packStarting);
    throw err;
  }
  const pack = await packStarting.catch((err: Error) => {
    throw new UserInputError(
      packDir,
      "",
      `is not a runnable policy pack (run \`npm run build\` for dist/policies): ${err.message.split("\n")[0]}`,
    );
  });
  return { run, pack };
}

/** GetAnalyzerInfo, the policy config reconciled and checked as the CLI checks it, Configure, ConfigureStack. */
async function configurePack(
  pack: PolicyPackProcess,
  stack: string,
  stackConfig: StackConfigValues,
  policyConfig: Map<string, AnalyzerPolicyConfig>,
) {
  const info = await pack.info();
  const config = reconcilePolicyPackConfig(info.policies, policyConfig);
  const errors = validatePolicyPackConfig(info.policies, config);
  if (errors.length)
    throw new UserInputError(
      "--policy-pack-config",
      "",
      `validating policy config: ${info.name} ${info.version}  ${errors.join("; ")}`,
    );
  await pack.configure(config);
  await pack.configureStack({
    stack,
    project: stackConfig.project,
    organization: OFFLINE_ORGANIZATION,
    config: stackConfig.config,
    secretKeys: stackConfig.secretKeys,
    dryRun: true,
  });
  return { info, config };
}

/** Analyze with each resource's inputs in registration order, then AnalyzeStack once. */
async function analyzeInOrder(
  pack: PolicyPackProcess,
  resources: CollectedResource[],
  policies: readonly PolicyInfo[],
): Promise<AnalyzeResult[]> {
  const descriptions = new Map(policies.map((p) => [p.name, p.description]));
  const results: AnalyzeResult[] = [];
  for (const r of resources) results.push(await pack.analyze(r, descriptions));
  results.push(await pack.analyzeStack(resources, descriptions));
  return results;
}

/** Each policy with its enforcement level as configured, its violations, and why it did not apply (when it said). */
function policyResults(
  policies: readonly PolicyInfo[],
  config: Map<string, AnalyzerPolicyConfig>,
  results: readonly AnalyzeResult[],
): PreviewPolicy[] {
  return policies.map((p) => ({
    name: p.name,
    description: p.description,
    enforcementLevel: config.get(p.name)?.enforcementLevel ?? p.enforcementLevel,
    violations: results.flatMap((res) =>
      res.diagnostics
        .filter((d) => d.policyName === p.name)
        .map(({ message, urn, enforcementLevel }) => ({ message, urn, enforcementLevel })),
    ),
    notApplicable: [
      ...new Set(
        results.flatMap((res) =>
          res.notApplicable
            .filter((n) => n.policyName === p.name && !n.reason.startsWith("Policy does not implement"))
            .map((n) => n.reason),
        ),
      ),
    ],
  }));
}
