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

/** Policy enforcement levels, as @pulumi/policy names them. */
export type EnforcementLevel = "advisory" | "mandatory" | "disabled" | "remediate";
const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "disabled", "remediate"]; // proto enum order

/** A policy the pack serves, from GetAnalyzerInfo. */
export interface PolicyInfo {
  name: string;
  description: string;
  enforcementLevel: EnforcementLevel;
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

/** Per-policy config as `--policy-pack-config` takes it: a level, or an object with `enforcementLevel` and the policy's keys. */
export type PolicyPackConfig = Record<string, EnforcementLevel | (Record<string, unknown> & { enforcementLevel?: EnforcementLevel })>;

function call<Req, Res>(client: any, method: string, request: Req): Promise<Res> {
  return new Promise((resolve, reject) => client[method](request, (err: grpc.ServiceError | null, res: Res) => (err ? reject(err) : resolve(res))));
}

function options(r: CollectedResource): unknown {
  const o = new analyzerPb.AnalyzerResourceOptions();
  o.setProtect(false);
  o.setIgnorechangesList([]);
  o.setAliasesList([]);
  o.setAdditionalsecretoutputsList([]);
  if (r.parent) o.setParent(r.parent);
  return o;
}

/** Type, name, URN, inputs and options: what AnalyzeRequest and AnalyzerResource both carry. */
function describeResource<M extends { setType(v: string): void; setName(v: string): void; setUrn(v: string): void; setProperties(v: unknown): void; setOptions(v: unknown): void }>(msg: M, r: CollectedResource): M {
  msg.setType(r.type);
  msg.setName(r.name);
  msg.setUrn(r.urn);
  msg.setProperties(Struct.fromJavaScript(r.inputs));
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
    notApplicable: (res.getNotApplicableList?.() ?? []).map((n: any) => ({ policyName: n.getPolicyName(), reason: n.getReason() })),
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
  static async start(packDir: string, timeoutMs = 30_000): Promise<PolicyPackProcess> {
    const child = spawn(process.execPath, [path.join(pulumiDir, "cmd", "run-policy-pack"), "127.0.0.1:0", packDir], {
      cwd: packDir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`policy pack in ${packDir} printed no port within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
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
      policies: res.getPoliciesList().map((p: any) => ({ name: p.getName(), description: p.getDescription(), enforcementLevel: LEVELS[p.getEnforcementlevel()] ?? "advisory" })),
    };
  }

  /** Configure: every policy's level (the config's, else its default) and its config keys, as the CLI sends them. */
  async configure(policies: PolicyInfo[], config: PolicyPackConfig): Promise<Map<string, EnforcementLevel>> {
    const req = new analyzerPb.ConfigureAnalyzerRequest();
    const levels = new Map<string, EnforcementLevel>();
    for (const p of policies) {
      const given = config[p.name];
      const { enforcementLevel, ...properties } = typeof given === "string" ? { enforcementLevel: given } : (given ?? {});
      const level = enforcementLevel ?? p.enforcementLevel;
      levels.set(p.name, level);
      const pc = new analyzerPb.PolicyConfig();
      pc.setEnforcementlevel(LEVELS.indexOf(level));
      pc.setProperties(Struct.fromJavaScript(properties));
      req.getPolicyconfigMap().set(p.name, pc);
    }
    await call(this.client, "configure", req);
    return levels;
  }

  /** Analyze: one resource's inputs, as the engine sends each resource during a preview. */
  async analyze(r: CollectedResource, descriptions: Map<string, string>): Promise<AnalyzeResult> {
    return diagnostics(await call(this.client, "analyze", describeResource(new analyzerPb.AnalyzeRequest(), r)), descriptions);
  }

  /** AnalyzeStack: every resource with its parent and dependencies, as the engine sends them at the end of a preview. */
  async analyzeStack(resources: CollectedResource[], descriptions: Map<string, string>): Promise<AnalyzeResult> {
    const req = new analyzerPb.AnalyzeStackRequest();
    req.setResourcesList(
      resources.map((r) => {
        const a = describeResource(new analyzerPb.AnalyzerResource(), r);
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
