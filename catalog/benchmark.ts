import type { MeasuredThroughput } from "../engine/evaluate";
import type { ModelConfig } from "../engine/model-config";
import type { Scenario } from "../engine/scenario";
import { UserInputError } from "./errors";

/**
 * Reads measured throughput from `vllm bench serve --save-result` files.
 * (Replaced by the full reader in the calibration work; until then a stack
 * that names benchmark files gets a clear error rather than a guess.)
 */
export function readBenchmarkThroughput(paths: string[], _scenario: Scenario, _model: ModelConfig, field: string): MeasuredThroughput {
  throw new UserInputError(paths[0] ?? "benchmark", field, "reading vllm bench result files is not available in this build; set throughput.outputTokensPerSecond instead");
}
