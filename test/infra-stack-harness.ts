import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { SECRET_CONFIG_KEYS } from "../infra/config";
import { createStack } from "../infra/program";
import { mergeProjectConfig, type ProjectConfigType, type PulumiProject } from "./infra-pulumi-project";

/**
 * Runs the Pulumi program under mocks in preview mode, as the CLI would for a
 * stack file, and records every registration the way the engine receives it:
 * inputs, and the resource options the mocks do not pass on (dependencies,
 * customTimeouts), read from the RegisterResource request itself.
 */

// Internal to @pulumi/pulumi but stable: the mock monitor and the queue of pending registrations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as { getMonitor(): any; waitForRPCs(): Promise<void> };

/** The project root. */
export const ROOT = path.resolve(__dirname, "..");
/** Every `Pulumi.<stack>.yaml`. */
export const STACK_FILES = fs
  .readdirSync(ROOT)
  .filter((f) => /^Pulumi\.[\w-]+\.yaml$/.test(f) && f !== "Pulumi.yaml")
  .sort();
/** Test secrets, never to appear in plain text. */
export const HF_TOKEN = "hf_test_token_never_in_plain_text";
export const API_KEY = "vllm_test_key_never_in_plain_text";
/** The secret config values, by full key. */
export const SECRETS = {
  [`llm-breakeven:${SECRET_CONFIG_KEYS.huggingFaceToken}`]: HF_TOKEN,
  [`llm-breakeven:${SECRET_CONFIG_KEYS.vllmApiKey}`]: API_KEY,
};

/** `Pulumi.yaml`, parsed. */
export const PROJECT = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as PulumiProject & {
  runtime: { name: string; options: { typescript: boolean } };
  main: string;
  config: Record<string, ProjectConfigType & { description: string }>;
};

/** A stack file's `config:` block as written. */
export function stackFileConfig(file: string): Record<string, unknown> {
  return (parse(fs.readFileSync(path.join(ROOT, file), "utf8")) as { config: Record<string, unknown> }).config;
}

/** The stack name of a stack file. */
export const stackName = (file: string) => file.replace(/^Pulumi\.|\.yaml$/g, "");

/**
 * Stack config as the Pulumi CLI hands it to a program: Pulumi.yaml's
 * defaults merged in where the stack sets nothing, every value a string,
 * objects as JSON. An override of `undefined` removes the key.
 */
export function stackConfig(file: string, overrides: Record<string, unknown> = {}): Record<string, string> {
  const merged = mergeProjectConfig(PROJECT, { ...stackFileConfig(file), ...overrides }).config;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(merged))
    if (v !== undefined) out[k] = typeof v === "string" ? v : JSON.stringify(v);
  return out;
}

/** One registration as the engine receives it. */
export interface Registered {
  type: string;
  name: string;
  urn: string;
  inputs: Record<string, any>;
  dependencies: string[];
  customTimeouts: { create: string; update: string; delete: string } | undefined;
}

/** Runs the program for a stack file under mocks (preview mode) and returns every registration and the outputs. */
export async function runStack(file: string, overrides: Record<string, unknown> = {}, stack = stackName(file)) {
  pulumi.runtime.setAllConfig({ ...stackConfig(file, overrides), ...SECRETS }, Object.keys(SECRETS));
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const state =
          args.type === "gcp:container/cluster:Cluster"
            ? { ...args.inputs, endpoint: "10.0.0.2", masterAuth: { clusterCaCertificate: "Q0E=" } }
            : args.inputs;
        return { id: `${args.name}-id`, state };
      },
      call: (args) =>
        args.token === "gcp:organizations/getProject:getProject"
          ? { number: "123456789012", projectId: "my-gcp-project" }
          : args.inputs,
    },
    "llm-breakeven",
    stack,
    true,
  );
  const resources = captureRegistrations();
  const outputs = createStack();
  const plain = await new Promise<Record<string, unknown>>((resolve) =>
    pulumi.output(outputs).apply((o) => resolve(o as Record<string, unknown>)),
  );
  await settings.waitForRPCs();
  return { resources, outputs: plain };
}

function captureRegistrations(): Registered[] {
  const monitor = settings.getMonitor();
  const register = monitor.registerResource.bind(monitor);
  const out: Registered[] = [];
  monitor.registerResource = (req: any, callback: (err: unknown, resp?: { getUrn(): string }) => void) => {
    const t = req.getCustomtimeouts?.();
    const entry = {
      type: req.getType() as string,
      name: req.getName() as string,
      inputs: (req.getObject()?.toJavaScript() ?? {}) as Record<string, any>,
      dependencies: req.getDependenciesList() as string[],
      customTimeouts:
        t && (t.getCreate() || t.getUpdate())
          ? { create: t.getCreate(), update: t.getUpdate(), delete: t.getDelete() }
          : undefined,
    };
    return register(req, (err: unknown, resp?: { getUrn(): string }) => {
      if (!err && resp) out.push({ ...entry, urn: resp.getUrn() });
      callback(err, resp);
    });
  };
  return out;
}

/** Registrations of one type. */
export const byType = (rs: Registered[], type: string) => rs.filter((r) => r.type === type);

/**
 * Sets up the program for a stack file with `overrides` under the plainest
 * mocks (every resource's state is its inputs), for tests that only look at
 * what the program refuses before it registers anything.
 */
export async function mockBadStack(file: string, overrides: Record<string, unknown>): Promise<void> {
  pulumi.runtime.setAllConfig({ ...stackConfig(file, overrides), ...SECRETS }, Object.keys(SECRETS));
  await pulumi.runtime.setMocks(
    { newResource: (a) => ({ id: a.name, state: a.inputs }), call: (a) => a.inputs },
    "llm-breakeven",
    "bad",
    true,
  );
}

/** The pod spec of the vLLM workload: a Deployment's template, or a LeaderWorkerSet's leader template. */
export function servingPodSpec(resources: Registered[]): Record<string, any> {
  const workload = resources.find(
    (r) =>
      r.type === "kubernetes:apps/v1:Deployment" || r.type === "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet",
  )!;
  return workload.inputs.spec.template?.spec ?? workload.inputs.spec.leaderWorkerTemplate.leaderTemplate.spec;
}
