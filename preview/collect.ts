import * as pulumi from "@pulumi/pulumi";
import type { StackConfigValues } from "./stack-files";

/** Pulumi's unknown sentinel: what the engine sends for a value not known during a preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** The invoke the program makes for the GCP project number. */
const GET_PROJECT_TOKEN = "gcp:organizations/getProject:getProject";

/** One resource as the program registered it: what the engine would pass to the analyzer. */
export interface CollectedResource {
  type: string;
  name: string;
  urn: string;
  /** Whether a provider creates it (false for components). */
  custom: boolean;
  /** Inputs as registered: unknowns as Pulumi's sentinel string, secrets in Pulumi's secret envelope. */
  inputs: Record<string, unknown>;
  parent: string | undefined;
  provider: string | undefined;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
}

// The runtime's own modules: the mock monitor the harness listens on, and the RPC queue it drains.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as { getMonitor(): any; waitForRPCs(): Promise<void> };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const state = require("@pulumi/pulumi/runtime/state") as { getStore(): { settings: { options: { engineAddr?: string } } } };

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProvider(): string;
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(cb: (deps: { getUrnsList(): string[] }, key: string) => void): void };
}

/**
 * Runs `program` under Pulumi's mocks in preview mode with the stack's
 * config and returns every resource it registered, in order. As in a real
 * preview, outputs a provider would compute are unknown; the mocks echo
 * inputs as state, which is what a create step's preview shows. The mocks
 * are process-wide: one stack per process. `engineAddress` is an Engine
 * service that receives the program's log messages.
 */
export async function collectResources<T>(
  stackConfig: StackConfigValues,
  program: () => T,
  engineAddress?: string,
): Promise<{ resources: CollectedResource[]; outputs: T }> {
  pulumi.runtime.setAllConfig(stackConfig.config, stackConfig.secretKeys);
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: undefined, state: args.inputs }),
      // An invoke's outputs come from the cloud; offline, the one the program reads (the
      // project number, for a Workload Identity principal) is unknown, as a value computed
      // by a provider is, rather than a made-up number or "undefined" in the member string.
      call: (args) => (args.token === GET_PROJECT_TOKEN ? { ...args.inputs, number: UNKNOWN } : args.inputs),
    },
    stackConfig.project,
    stackConfig.stack,
    true,
  );
  // The program's log messages go to this engine (see engine.ts), not to stdout.
  if (engineAddress) state.getStore().settings.options.engineAddr = engineAddress;
  const monitor = settings.getMonitor();
  const register = monitor.registerResource.bind(monitor);
  const resources: CollectedResource[] = [];
  monitor.registerResource = (req: RegisterRequest, callback: (err: unknown, resp?: { getUrn(): string }) => void) => {
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps, key) => (propertyDependencies[key] = deps.getUrnsList()));
    const entry: Omit<CollectedResource, "urn"> = {
      type: req.getType(),
      name: req.getName(),
      custom: req.getCustom(),
      inputs: req.getObject()?.toJavaScript() ?? {},
      parent: req.getParent() || undefined,
      provider: req.getProvider() || undefined,
      dependencies: req.getDependenciesList(),
      propertyDependencies,
    };
    return register(req, (err: unknown, resp?: { getUrn(): string }) => {
      if (!err && resp) resources.push({ ...entry, urn: resp.getUrn() });
      callback(err, resp);
    });
  };
  const outputs = program();
  await settings.waitForRPCs();
  return { resources, outputs };
}
