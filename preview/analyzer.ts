import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import type { CollectedResource } from "./collect";

// Messages and stubs exactly as the Pulumi CLI's engine speaks them; Struct and
// Empty must come from the google-protobuf that @pulumi/pulumi itself loads,
// or the generated code's instanceof checks fail.
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const fromPulumi = createRequire(path.join(pulumiDir, "package.json"));
const analyzerPb = fromPulumi("./proto/analyzer_pb");
const analyzerGrpc = fromPulumi("./proto/analyzer_grpc_pb");
const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb");
const { Empty } = fromPulumi("google-protobuf/google/protobuf/empty_pb");

import type { EnforcementLevel } from "../reports/preview-result";
import type { AnalyzerPolicyConfig, PolicyConfigInfo } from "./policy-config";

export type { EnforcementLevel } from "../reports/preview-result";
const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "disabled", "remediate"]; // proto enum order

/** A policy the pack serves, from GetAnalyzerInfo: name, level, and the configSchema the CLI validates config against. */
export interface PolicyInfo extends PolicyConfigInfo {
  description: string;
}

/** One diagnostic the pack returned. */
export interface Diagnostic {
  policyName: string;
  /** The violation sentence, without the policy description the pack puts in front. */
  message: string;
  urn: string | undefined;
  enforcementLevel: EnforcementLevel;
}

/** A policy that did not apply, and why. */
export interface NotApplicable {
  policyName: string;
  reason: string;
}

/** What one Analyze or AnalyzeStack call returned. */
export interface AnalyzeResult {
  diagnostics: Diagnostic[];
  notApplicable: NotApplicable[];
}

function runPolicyPackFor(packDir: string): string {
  try {
    return createRequire(path.join(path.resolve(packDir), "noop.js")).resolve("@pulumi/pulumi/cmd/run-policy-pack");
  } catch {
    return path.join(pulumiDir, "cmd", "run-policy-pack");
  }
}

function call<Req, Res>(client: any, method: string, request: Req): Promise<Res> {
  return new Promise((resolve, reject) =>
    client[method](request, (err: grpc.ServiceError | null, res: Res) => (err ? reject(err) : resolve(res))),
  );
}

const DURATION_UNIT_SECONDS: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };

/** Seconds of a Go duration string ("1h30m", "45m"), as the engine parses a customTimeouts value; 0 when empty. */
export function durationSeconds(text: string): number {
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) total += Number(m[1]) * DURATION_UNIT_SECONDS[m[2]!]!;
  return total;
}

/** AnalyzerResourceOptions as the engine fills it (pkg/resource/plugin/analyzer_plugin.go marshalResourceOptions, pulumi/pulumi@1b594989). */
function options(r: CollectedResource): unknown {
  const o = new analyzerPb.AnalyzerResourceOptions();
  o.setProtect(r.options.protect);
  o.setIgnorechangesList(r.options.ignoreChanges);
  o.setDeletebeforereplace(r.options.deleteBeforeReplace ?? false);
  o.setDeletebeforereplacedefined(r.options.deleteBeforeReplace !== undefined);
  o.setAliasesList(r.options.aliases);
  o.setAdditionalsecretoutputsList(r.options.additionalSecretOutputs);
  const timeouts = new analyzerPb.AnalyzerResourceOptions.CustomTimeouts();
  const t = r.options.customTimeouts;
  timeouts.setCreate(durationSeconds(t?.create ?? ""));
  timeouts.setUpdate(durationSeconds(t?.update ?? ""));
  timeouts.setDelete(durationSeconds(t?.delete ?? ""));
  o.setCustomtimeouts(timeouts);
  if (r.parent) o.setParent(r.parent);
  return o;
}

/** Type, name, URN, properties and options: what AnalyzeRequest and AnalyzerResource both carry. */
function describeResource<
  M extends {
    setType(v: string): void;
    setName(v: string): void;
    setUrn(v: string): void;
    setProperties(v: unknown): void;
    setOptions(v: unknown): void;
  },
>(msg: M, r: CollectedResource, properties: Record<string, unknown>): M {
  msg.setType(r.type);
  msg.setName(r.name);
  msg.setUrn(r.urn);
  msg.setProperties(Struct.fromJavaScript(properties));
  msg.setOptions(options(r));
  return msg;
}

function diagnostics(res: any, describe: Map<string, string>): AnalyzeResult {
  return {
    diagnostics: res.getDiagnosticsList().map((d: any) => {
      const prefix = `${describe.get(d.getPolicyname()) ?? ""}\n`;
      const raw: string = d.getMessage();
      return {
        policyName: d.getPolicyname(),
        message: raw.startsWith(prefix) ? raw.slice(prefix.length) : raw,
        urn: d.getUrn() || undefined,
        enforcementLevel: LEVELS[d.getEnforcementlevel()] ?? "advisory",
      };
    }),
    notApplicable: (res.getNotApplicableList?.() ?? []).map((n: any) => ({
      policyName: n.getPolicyName(),
      reason: n.getReason(),
    })),
  };
}

/**
 * A policy pack running as its own process, launched the way the Pulumi
 * CLI launches a Node.js pack: `node <@pulumi/pulumi>/cmd/run-policy-pack
 * <engine-address> <pack-dir>` with the pack folder as working directory;
 * the pack prints its gRPC port on stdout. run-policy-pack drops the engine
 * address unread (its pack never logs to the engine), so no engine service
 * is needed.
 */
export class PolicyPackProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: any,
    private readonly stderr: () => string,
  ) {}

  /** Starts the pack in `packDir` and connects to it. */
  static async start(
    packDir: string,
    opts: { env?: Record<string, string>; timeoutMs?: number; runPolicyPack?: string } = {},
  ): Promise<PolicyPackProcess> {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    // As the CLI: the run-policy-pack that resolves from the pack folder (its own node_modules, else a parent's;
    // analyzer_plugin.go NewPolicyAnalyzer runs it with the pack folder as working directory), else ours.
    const runner = opts.runPolicyPack ?? runPolicyPackFor(packDir);
    const child = spawn(process.execPath, [runner, "127.0.0.1:0", "."], {
      cwd: packDir,
      env: { ...process.env, ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(
        () => reject(new Error(`policy pack in ${packDir} printed no port within ${timeoutMs} ms:\n${stderr}`)),
        timeoutMs,
      );
      child.stdout!.on("data", (b: Buffer) => {
        out += b.toString();
        const m = /^(\d+)\s*$/m.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`policy pack in ${packDir} exited with code ${code} before serving:\n${stderr}`));
      });
    });
    const client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new PolicyPackProcess(child, client, () => stderr);
  }

  /** GetAnalyzerInfo: the pack's name, version and policies with their default levels. */
  async info(): Promise<{ name: string; version: string; policies: PolicyInfo[] }> {
    const res: any = await call(this.client, "getAnalyzerInfo", new Empty());
    return {
      name: res.getName(),
      version: res.getVersion(),
      policies: res.getPoliciesList().map((p: any) => {
        const schema = p.getConfigschema();
        return {
          name: p.getName(),
          description: p.getDescription(),
          enforcementLevel: LEVELS[p.getEnforcementlevel()] ?? "advisory",
          configSchema: schema
            ? { properties: schema.getProperties()?.toJavaScript() ?? {}, required: schema.getRequiredList() }
            : undefined,
        };
      }),
    };
  }

  /** Configure: the reconciled config of every policy (level and properties), as the CLI sends it (analyzer_plugin.go Configure). */
  async configure(config: Map<string, AnalyzerPolicyConfig>): Promise<void> {
    const req = new analyzerPb.ConfigureAnalyzerRequest();
    for (const [name, c] of config) {
      const pc = new analyzerPb.PolicyConfig();
      pc.setEnforcementlevel(LEVELS.indexOf(c.enforcementLevel ?? "advisory"));
      pc.setProperties(Struct.fromJavaScript((c.properties ?? {}) as Record<string, any>));
      req.getPolicyconfigMap().set(name, pc);
    }
    await call(this.client, "configure", req);
  }

  /**
   * ConfigureStack: the stack, project, organization, the decrypted config
   * ("namespace:key" to string), its secret keys and the dry-run flag, as the
   * CLI sends it once after starting a pack (analyzer_plugin.go NewPolicyAnalyzer).
   */
  async configureStack(stack: {
    stack: string;
    project: string;
    organization: string;
    config: Record<string, string>;
    secretKeys: string[];
    dryRun: boolean;
  }): Promise<void> {
    const req = new analyzerPb.AnalyzerStackConfigureRequest();
    req.setStack(stack.stack);
    req.setProject(stack.project);
    req.setOrganization(stack.organization);
    req.setDryRun(stack.dryRun);
    req.setConfigSecretKeysList(stack.secretKeys);
    for (const [k, v] of Object.entries(stack.config)) req.getConfigMap().set(k, v);
    await call(this.client, "configureStack", req);
  }

  /** Analyze: one resource's inputs, as the engine sends each resource before its step (step_generator.go analyzeAll). */
  async analyze(r: CollectedResource, descriptions: Map<string, string>): Promise<AnalyzeResult> {
    return diagnostics(
      await call(this.client, "analyze", describeResource(new analyzerPb.AnalyzeRequest(), r, r.inputs)),
      descriptions,
    );
  }

  /** AnalyzeStack: every resource's outputs with its parent and dependencies, as the engine sends them after every step (step_generator.go AnalyzeResources). */
  async analyzeStack(resources: CollectedResource[], descriptions: Map<string, string>): Promise<AnalyzeResult> {
    const req = new analyzerPb.AnalyzeStackRequest();
    req.setResourcesList(
      resources.map((r) => {
        const a = describeResource(new analyzerPb.AnalyzerResource(), r, r.outputs);
        if (r.parent) a.setParent(r.parent);
        a.setDependenciesList(r.dependencies);
        for (const [key, urns] of Object.entries(r.propertyDependencies)) {
          const deps = new analyzerPb.AnalyzerPropertyDependencies();
          deps.setUrnsList(urns);
          a.getPropertydependenciesMap().set(key, deps);
        }
        return a;
      }),
    );
    return diagnostics(await call(this.client, "analyzeStack", req), descriptions);
  }

  /** What the pack wrote on stderr so far (its errors). */
  errors(): string {
    return this.stderr();
  }

  /** Closes the connection and stops the pack process. */
  stop(): void {
    this.client.close();
    this.child.kill();
  }
}
