import { createRequire } from "node:module";
import * as path from "node:path";
import { containsUnknown, plannedState, storedState, UNKNOWN, type PreviewCase } from "./planned-state";
import type { StackConfigValues } from "./stack-files";

export { UNKNOWN } from "./planned-state";

/** The invoke the program makes for the GCP project number. */
const GET_PROJECT_TOKEN = "gcp:organizations/getProject:getProject";

/** Resource options as the engine hands them to a policy pack (AnalyzerResourceOptions), plus the ones a reader of the preview needs. */
export interface ResourceOptionsView {
  protect: boolean;
  ignoreChanges: string[];
  /** Undefined when the program did not set it. */
  deleteBeforeReplace: boolean | undefined;
  additionalSecretOutputs: string[];
  aliases: string[];
  /** Go duration strings ("30m"), as the SDK sends them; undefined when the program set none. */
  customTimeouts: { create: string; update: string; delete: string } | undefined;
  /** Dependencies the program declared with `dependsOn` (those no input carries). */
  dependsOn: string[];
  parent: string | undefined;
  /** Provider reference, `<provider urn>::<provider id>`. */
  provider: string | undefined;
}

/** One resource as the program registered it: what the engine would pass to the analyzer. */
export interface CollectedResource {
  type: string;
  name: string;
  urn: string;
  /** Whether a provider creates it (false for components). */
  custom: boolean;
  /** Inputs as registered: unknowns as Pulumi's sentinel string, secrets in Pulumi's secret envelope. */
  inputs: Record<string, unknown>;
  /** Outputs as the engine would have them at the end of this preview case (what AnalyzeStack receives). */
  outputs: Record<string, unknown>;
  parent: string | undefined;
  provider: string | undefined;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  options: ResourceOptionsView;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProvider(): string;
  getProtect(): boolean;
  getIgnorechangesList(): string[];
  getDeletebeforereplace(): boolean;
  getDeletebeforereplacedefined(): boolean;
  getAdditionalsecretoutputsList(): string[];
  getAliasurnsList(): string[];
  getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(cb: (deps: { getUrnsList(): string[] }, key: string) => void): void };
}

/** The Pulumi runtime a program uses: the one its own folder resolves, so the mocks are the ones its resources talk to. */
interface PulumiRuntime {
  pulumi: typeof import("@pulumi/pulumi");
  settings: { getMonitor(): any; waitForRPCs(): Promise<void> };
  state: { getStore(): { settings: { options: { engineAddr?: string } } } };
}

/** @pulumi/pulumi as resolved from `dir` (a program's folder), with the runtime modules the harness hooks. */
export function pulumiRuntimeFrom(dir: string): PulumiRuntime {
  const req = createRequire(path.join(path.resolve(dir), "noop.js"));
  const pkgDir = path.dirname(req.resolve("@pulumi/pulumi/package.json"));
  const fromPkg = createRequire(path.join(pkgDir, "package.json"));
  return {
    pulumi: fromPkg("./index.js"),
    settings: fromPkg("./runtime/settings.js"),
    state: fromPkg("./runtime/state.js"),
  };
}

function optionsOf(req: RegisterRequest, propertyDependencies: Record<string, string[]>): ResourceOptionsView {
  const timeouts = req.getCustomtimeouts();
  const implied = new Set(Object.values(propertyDependencies).flat());
  return {
    protect: req.getProtect(),
    ignoreChanges: req.getIgnorechangesList(),
    deleteBeforeReplace: req.getDeletebeforereplacedefined() ? req.getDeletebeforereplace() : undefined,
    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
    aliases: req.getAliasurnsList(),
    customTimeouts:
      timeouts && (timeouts.getCreate() || timeouts.getUpdate() || timeouts.getDelete())
        ? { create: timeouts.getCreate(), update: timeouts.getUpdate(), delete: timeouts.getDelete() }
        : undefined,
    dependsOn: req.getDependenciesList().filter((urn) => !implied.has(urn)),
    parent: req.getParent() || undefined,
    provider: req.getProvider() || undefined,
  };
}

/**
 * The outputs a resource gets in this preview case, as the engine makes
 * them. New stack: a Kubernetes resource whose provider's configuration holds
 * an unknown (built from a cluster this run creates) gets an empty property
 * map (pkg/resource/plugin/provider_plugin.go Create, pulumi/pulumi@1b594989);
 * a bridged resource its planned state. Update: stored state.
 */
function outputsFor(
  previewCase: PreviewCase,
  type: string,
  inputs: Record<string, unknown>,
  providerInputs: Record<string, unknown> | undefined,
): Record<string, unknown> {
  if (previewCase === "update") return storedState(type, inputs);
  if (providerInputs !== undefined && containsUnknown(providerInputs)) return {};
  return plannedState(type, inputs);
}

/**
 * Runs `program` under Pulumi's mocks in preview mode with the stack's
 * config and returns every resource it registered, in order, with its
 * inputs, options and the outputs of the chosen preview case. The mocks are
 * process-wide: one stack per process. `engineAddress` is an Engine service
 * that receives the program's log messages; `runtime` the @pulumi/pulumi the
 * program itself loads (a team's project may have its own).
 */
export async function collectResources<T>(
  stackConfig: StackConfigValues,
  program: () => T,
  opts: { engineAddress?: string | undefined; previewCase?: PreviewCase; runtime?: PulumiRuntime } = {},
): Promise<{ resources: CollectedResource[]; outputs: T }> {
  const previewCase = opts.previewCase ?? "new-stack";
  const { pulumi, settings, state } = opts.runtime ?? pulumiRuntimeFrom(__dirname);
  const seen: SeenInputs = { byUrn: new Map(), wire: new Map() };
  pulumi.runtime.setAllConfig(stackConfig.config, stackConfig.secretKeys);
  await setPreviewMocks(pulumi, stackConfig, previewCase, seen);
  // The program's log messages go to this engine (see engine.ts), not to stdout.
  if (opts.engineAddress) state.getStore().settings.options.engineAddr = opts.engineAddress;
  const monitor = settings.getMonitor();
  const resources = recordRegistrations(monitor, seen);
  const outputs = program();
  await settings.waitForRPCs();
  for (const r of resources)
    r.outputs = r.custom ? ((monitor.resources?.get(r.urn)?.state as Record<string, unknown> | undefined) ?? {}) : {};
  return { resources, outputs };
}

/**
 * The inputs registered so far: by URN (a Kubernetes provider's, to tell
 * whether its configuration holds an unknown), and in wire form (unknowns as
 * the sentinel) by type and name, because the mocks hand newResource
 * deserialized inputs, where an unknown has become undefined.
 */
interface SeenInputs {
  byUrn: Map<string, Record<string, unknown>>;
  wire: Map<string, Record<string, unknown>>;
}

/** Pulumi's mocks in preview mode: each new resource gets the outputs of the preview case. */
async function setPreviewMocks(
  pulumi: PulumiRuntime["pulumi"],
  stackConfig: StackConfigValues,
  previewCase: PreviewCase,
  seen: SeenInputs,
): Promise<void> {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const providerUrn = args.provider?.split("::").slice(0, -1).join("::");
        const inputs = seen.wire.get(`${args.type}::${args.name}`) ?? args.inputs;
        const outputs = outputsFor(
          previewCase,
          args.type,
          inputs,
          providerUrn ? seen.byUrn.get(providerUrn) : undefined,
        );
        return { id: previewCase === "update" ? `${args.name}-id` : undefined, state: outputs };
      },
      // An invoke's outputs come from the cloud; offline, the one the program reads (the
      // project number, for a Workload Identity principal) is unknown, as a value computed
      // by a provider is, rather than a made-up number or "undefined" in the member string.
      call: (args) => (args.token === GET_PROJECT_TOKEN ? { ...args.inputs, number: UNKNOWN } : args.inputs),
    },
    stackConfig.project,
    stackConfig.stack,
    true,
  );
}

/**
 * Hooks the mock monitor's RegisterResource so every registration is kept,
 * in order, with its inputs in wire form; the list fills as the program runs
 * (outputs are read once its RPCs are done).
 */
function recordRegistrations(monitor: any, seen: SeenInputs): CollectedResource[] {
  const register = monitor.registerResource.bind(monitor);
  const resources: CollectedResource[] = [];
  monitor.registerResource = (req: RegisterRequest, callback: (err: unknown, resp?: { getUrn(): string }) => void) => {
    const entry = registration(req);
    seen.wire.set(`${entry.type}::${entry.name}`, entry.inputs);
    return register(req, (err: unknown, resp?: { getUrn(): string }) => {
      if (!err && resp) {
        seen.byUrn.set(resp.getUrn(), entry.inputs);
        resources.push({ ...entry, urn: resp.getUrn(), outputs: {} });
      }
      callback(err, resp);
    });
  };
  return resources;
}

/** A RegisterResource request as the harness keeps it (its URN and outputs come later). */
function registration(req: RegisterRequest): Omit<CollectedResource, "urn" | "outputs"> {
  const propertyDependencies: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((deps, key) => (propertyDependencies[key] = deps.getUrnsList()));
  return {
    type: req.getType(),
    name: req.getName(),
    custom: req.getCustom(),
    inputs: req.getObject()?.toJavaScript() ?? {},
    parent: req.getParent() || undefined,
    provider: req.getProvider() || undefined,
    dependencies: req.getDependenciesList(),
    propertyDependencies,
    options: optionsOf(req, propertyDependencies),
  };
}
