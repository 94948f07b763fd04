import * as fs from "node:fs";
import { z } from "zod";
import type { UsageFile, UsageRecord } from "../../engine/usage";
import { parseWith, UserInputError } from "../errors";

/** Largest usage file read: 256 MiB (90 days of per-minute buckets of many models is a few MiB). */
export const MAX_USAGE_FILE_BYTES = 256 * 1024 * 1024;
/** Most records one file may hold (per-request logs of a busy quarter). */
export const MAX_USAGE_RECORDS = 5_000_000;

/** A token count as the exports write it: a whole number of at least 0. */
export const tokens = z.number().int().nonnegative();
/** RFC 3339 / ISO 8601 date-time with a zone, as Anthropic, Langfuse and Helicone write them. */
export const isoDateTime = z
  .string()
  .refine(
    (s) =>
      /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(s) &&
      Number.isFinite(Date.parse(s)),
    {
      message: "expected an RFC 3339 date-time such as 2026-11-02T14:00:00Z",
    },
  );

/** Reads a usage file, refusing one over the size bound before reading it. */
export function readUsageText(file: string, maxBytes = MAX_USAGE_FILE_BYTES): string {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserInputError(
      file,
      "",
      code === "ENOENT" ? "file not found" : `cannot be read (${code ?? String(err)})`,
    );
  }
  if (size > maxBytes) {
    throw new UserInputError(
      file,
      "",
      `is ${size} bytes, over the ${maxBytes} (${(maxBytes / 2 ** 20).toFixed(0)} MiB) a usage file may have; split it by date`,
    );
  }
  return fs.readFileSync(file, "utf8");
}

/** JSON text, or JSON Lines (one object a line, as Helicone's export and OTLP file exporters write), parsed. */
export function parseJsonOrLines(text: string, file: string): unknown {
  const trimmed = text.trim();
  if (trimmed === "") throw new UserInputError(file, "", "is empty");
  try {
    return JSON.parse(trimmed);
  } catch (whole) {
    const lines = trimmed.split(/\r?\n/).filter((l) => l.trim() !== "");
    if (lines.length < 2) throw new UserInputError(file, "", `is not valid JSON: ${(whole as Error).message}`);
    return lines.map((line, i) => {
      try {
        return JSON.parse(line);
      } catch (err) {
        throw new UserInputError(
          file,
          `line ${i + 1}`,
          `is not valid JSON (neither the file as a whole nor this line): ${(err as Error).message}`,
        );
      }
    });
  }
}

/** Parses with a schema; a bad value names the file and the field path from `prefix` (e.g. `data[3].results[0]`). */
export function parseAt<S extends z.ZodType>(schema: S, data: unknown, file: string, prefix: string): z.infer<S> {
  return parseWith(schema, data, file, prefix);
}

/** Throws when a file holds more records than the bound. */
export function checkRecordCount(count: number, file: string): void {
  if (count > MAX_USAGE_RECORDS)
    throw new UserInputError(
      file,
      "",
      `holds ${count} records, over the ${MAX_USAGE_RECORDS} a usage file may have; split it by date`,
    );
}

/** "3 x" counts of ignored kinds, as lines. */
export function ignoredLines(counts: Map<string, number>, why: string): string[] {
  return [...counts].map(([kind, n]) => `${n} ${kind} ${n === 1 ? "entry" : "entries"} (${why})`);
}

/** A UsageFile, its record count checked. */
export function usageFile(file: string, format: string, records: UsageRecord[], ignored: string[]): UsageFile {
  checkRecordCount(records.length, file);
  return { file, format, records, ignored };
}

/** Milliseconds of a date-time already validated by `isoDateTime`; one without a zone is UTC (Python's isoformat() of a naive UTC time, as LiteLLM writes). */
export function msOf(iso: string): number {
  const t = iso.replace(" ", "T");
  return Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(t) ? t : `${t}Z`);
}
