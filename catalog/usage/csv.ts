import { parse } from "csv-parse/sync";
import { z } from "zod";
import type { UsageFile, UsageRecord } from "../../engine/usage";
import { UserInputError } from "../errors";
import { isoDateTime, msOf, parseAt, usageFile } from "./common";

/**
 * The plain usage CSV, for every source without a parser here (Bedrock,
 * Azure OpenAI, Vertex AI: the README gives the query that produces it).
 * Columns (header row required, any order):
 * `start_time` (RFC 3339, required), `end_time` (empty for one request),
 * `model` (required), `input_tokens` (ALL input, cached included, required),
 * `cached_input_tokens`, `cache_write_tokens`, `output_tokens` (required),
 * `requests` (1 when end_time is empty; empty means unknown), `batch`
 * (true/false).
 */
export const USAGE_CSV_COLUMNS = [
  "start_time",
  "end_time",
  "model",
  "input_tokens",
  "cached_input_tokens",
  "cache_write_tokens",
  "output_tokens",
  "requests",
  "batch",
] as const;

const count = z.string().regex(/^\d+$/, "expected a whole number of tokens, at least 0").transform(Number);
const optionalCount = z.union([z.literal("").transform(() => undefined), count]).optional();
const RowSchema = z
  .object({
    start_time: isoDateTime,
    end_time: z.union([z.literal(""), isoDateTime]).optional(),
    model: z.string(),
    input_tokens: count,
    cached_input_tokens: optionalCount,
    cache_write_tokens: optionalCount,
    output_tokens: count,
    requests: optionalCount,
    batch: z.enum(["", "true", "false"]).optional(),
  })
  .strict();

/** True when the text's first line is a usage CSV header. */
export function isUsageCsv(text: string): boolean {
  const header = text.split(/\r?\n/, 1)[0] ?? "";
  const cols = header.split(",").map((c) => c.trim());
  return cols.includes("start_time") && cols.includes("input_tokens") && cols.includes("output_tokens");
}

function rowRecord(row: z.infer<typeof RowSchema>, file: string, at: string): UsageRecord {
  const start = msOf(row.start_time);
  const end = row.end_time ? msOf(row.end_time) : start;
  if (row.end_time && end <= start)
    throw new UserInputError(file, `${at}.end_time`, `${row.end_time} is not after start_time ${row.start_time}`);
  const cached = row.cached_input_tokens ?? 0;
  const write = row.cache_write_tokens ?? 0;
  if (cached + write > row.input_tokens) {
    throw new UserInputError(
      file,
      `${at}.cached_input_tokens`,
      `${cached} cached + ${write} cache-write tokens exceed input_tokens ${row.input_tokens}; input_tokens counts all input, cached included`,
    );
  }
  const single = !row.end_time;
  return {
    startMs: start,
    endMs: end,
    model: row.model,
    inputTokens: row.input_tokens,
    cachedInputTokens: cached,
    cacheWriteTokens: write,
    outputTokens: row.output_tokens,
    requests: single ? 1 : (row.requests ?? null),
    batch: row.batch === "true",
    perRequest: single,
  };
}

/** Parses the plain usage CSV; a bad cell names its row (1 = the first data row) and column. */
export function parseUsageCsv(text: string, file: string): UsageFile {
  let rows: Record<string, string>[];
  try {
    rows = parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  } catch (err) {
    throw new UserInputError(file, "", `is not a valid CSV: ${(err as Error).message.split("\n")[0]}`);
  }
  const records = rows.map((raw, i) => rowRecord(parseAt(RowSchema, raw, file, `row ${i + 1}`), file, `row ${i + 1}`));
  return usageFile(file, "usage-csv", records, []);
}
