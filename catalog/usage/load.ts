import type { UsageFile } from "../../engine/usage";
import { UserInputError } from "../errors";
import { isAnthropicUsage, parseAnthropicUsage } from "./anthropic";
import { parseJsonOrLines, readUsageText } from "./common";
import { isUsageCsv, parseUsageCsv } from "./csv";
import { isHeliconeExport, parseHeliconeExport } from "./helicone";
import { isLangfuseObservations, parseLangfuseObservations } from "./langfuse";
import { isLiteLlmSpendLogs, parseLiteLlmSpendLogs } from "./litellm";
import { isOpenAiUsage, parseOpenAiUsage } from "./openai";
import { isOtlpTraces, parseOtlpTraces } from "./otel";

/** The formats `breakeven workload --from` reads, for messages and the README. */
export const USAGE_FORMATS = [
  "OpenAI usage completions pages",
  "Anthropic messages usage report",
  "LiteLLM spend logs",
  "Langfuse observations",
  "Helicone export",
  "OTLP/JSON GenAI spans",
  "the plain usage CSV",
] as const;

/**
 * Detects the format of usage text by its shape and parses it. Pure: the
 * text and the file name (for messages) in, normalized records out.
 */
export function parseUsage(text: string, file: string): UsageFile {
  if (isUsageCsv(text)) return parseUsageCsv(text, file);
  const data = parseJsonOrLines(text, file);
  if (isOpenAiUsage(data)) return parseOpenAiUsage(data, file);
  if (isAnthropicUsage(data)) return parseAnthropicUsage(data, file);
  if (isOtlpTraces(data)) return parseOtlpTraces(data, file);
  if (isLangfuseObservations(data)) return parseLangfuseObservations(data, file);
  if (Array.isArray(data) && isLiteLlmSpendLogs(data)) return parseLiteLlmSpendLogs(data, file);
  if (Array.isArray(data) && isHeliconeExport(data)) return parseHeliconeExport(data, file);
  throw new UserInputError(
    file,
    "",
    `is not a usage export this tool reads; valid: ${USAGE_FORMATS.join(", ")} (see the README, "The workload from usage exports")`,
  );
}

/** Reads and parses one usage file (bounded in size). */
export function loadUsage(file: string): UsageFile {
  return parseUsage(readUsageText(file), file);
}
