import { createRequire } from "node:module";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";

const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const fromPulumi = createRequire(path.join(pulumiDir, "package.json"));
const engineGrpc = fromPulumi("./proto/engine_grpc_pb");
const enginePb = fromPulumi("./proto/engine_pb");
const { Empty } = fromPulumi("google-protobuf/google/protobuf/empty_pb");

/** A message the program logged (`pulumi.log.info` / `warn` / `error`), as `pulumi preview` lists under Diagnostics. */
export interface ProgramDiagnostic {
  severity: "debug" | "info" | "warning" | "error";
  message: string;
  urn: string | undefined;
}
const SEVERITIES: ProgramDiagnostic["severity"][] = ["debug", "info", "warning", "error"]; // proto enum order

/**
 * A minimal Pulumi Engine service on 127.0.0.1: it receives the program's
 * log messages, which the runtime otherwise prints to stdout (where they
 * would corrupt `--format json`). The other calls answer as an engine with
 * no root resource would.
 */
export async function startEngine(): Promise<{ address: string; diagnostics: ProgramDiagnostic[]; stop(): void }> {
  const diagnostics: ProgramDiagnostic[] = [];
  let root = "";
  const server = new grpc.Server();
  server.addService(engineGrpc.EngineService, {
    log: (call: any, cb: grpc.sendUnaryData<unknown>) => {
      const req = call.request;
      // The runtime's debug stream traces every RPC; pulumi preview hides it too unless asked.
      if (SEVERITIES[req.getSeverity()] !== "debug")
        diagnostics.push({
          severity: SEVERITIES[req.getSeverity()] ?? "info",
          message: req.getMessage(),
          urn: req.getUrn() || undefined,
        });
      cb(null, new Empty());
    },
    getRootResource: (_call: any, cb: grpc.sendUnaryData<unknown>) => {
      const res = new enginePb.GetRootResourceResponse();
      res.setUrn(root);
      cb(null, res);
    },
    setRootResource: (call: any, cb: grpc.sendUnaryData<unknown>) => {
      root = call.request.getUrn();
      cb(null, new enginePb.SetRootResourceResponse());
    },
    startDebugging: (_call: any, cb: grpc.sendUnaryData<unknown>) => cb(null, new Empty()),
    requirePulumiVersion: (_call: any, cb: grpc.sendUnaryData<unknown>) =>
      cb(null, new enginePb.RequirePulumiVersionResponse()),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return { address: `127.0.0.1:${port}`, diagnostics, stop: () => server.forceShutdown() };
}
