import type { z } from "zod";

/**
 * A mistake in something the user gave us (a file, a flag, a config key).
 * The CLI prints `message` alone and exits 2: no stack trace.
 */
export class UserInputError extends Error {
  /** The file (or "command line", or a stack config key) the bad value came from. */
  readonly file: string;
  /** Dotted path of the bad field, e.g. `node.machineType`; empty for the file as a whole. */
  readonly field: string;
  constructor(file: string, field: string, message: string) {
    super(`${file}${field ? `: ${field}` : ""}: ${message}`);
    this.name = "UserInputError";
    this.file = file;
    this.field = field;
  }
}

/** Renders a value for an error message: short, JSON-ish, never "[object Object]". */
export function showValue(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = data;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key as string];
  }
  return cur;
}

/** Dotted field path: `node.machineType`, `weights[0].dtype`. */
export function formatPath(path: readonly PropertyKey[], prefix = ""): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out && !out.endsWith(":") ? `.${String(key)}` : String(key);
  }
  return out;
}

/**
 * Turns the first zod issue into a UserInputError naming the file, the field,
 * the bad value and what would be valid.
 */
export function zodToUserError(file: string, error: z.ZodError, data: unknown, pathPrefix = ""): UserInputError {
  const issue = error.issues[0];
  if (!issue) return new UserInputError(file, pathPrefix, "is not valid");
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys;
    const parent = valueAt(data, issue.path);
    const known = parent && typeof parent === "object" ? Object.keys(parent).filter((k) => !keys.includes(k)) : [];
    const field = formatPath([...issue.path, keys[0] ?? ""], pathPrefix);
    return new UserInputError(file, field, `unknown key ${showValue(keys[0])}${known.length ? ` (valid keys here include ${known.join(", ")})` : ""}; check its spelling`);
  }
  const field = formatPath(issue.path, pathPrefix);
  const value = valueAt(data, issue.path);
  let expected = issue.message;
  if (issue.code === "invalid_value" && "values" in issue) {
    expected = `expected one of ${(issue.values as unknown[]).map((v) => showValue(v)).join(", ")}`;
  }
  if (value === undefined && issue.code === "invalid_type") {
    return new UserInputError(file, field, `is required (${expected})`);
  }
  return new UserInputError(file, field, `${showValue(value)} is not valid: ${expected}`);
}

/** Parses `data` with a schema or throws a UserInputError naming the file and field. */
export function parseWith<S extends z.ZodType>(schema: S, data: unknown, file: string, pathPrefix = ""): z.infer<S> {
  const result = schema.safeParse(data);
  if (!result.success) throw zodToUserError(file, result.error, data, pathPrefix);
  return result.data;
}
