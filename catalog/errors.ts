import { z } from "zod";

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
export function zodToUserError(
  file: string,
  error: z.ZodError,
  data: unknown,
  pathPrefix = "",
  schema?: z.ZodType,
): UserInputError {
  // A typo in a key is the root cause of the "required" issue it leaves behind: report it first.
  const issue = error.issues.find((i) => i.code === "unrecognized_keys") ?? error.issues[0];
  if (!issue) return new UserInputError(file, pathPrefix, "is not valid");
  if (issue.code === "unrecognized_keys") {
    const unknown = issue.keys[0] ?? "";
    const samePath = (p: readonly PropertyKey[]) =>
      p.length === issue.path.length + 1 && issue.path.every((k, i) => p[i] === k);
    const missing = error.issues
      .filter((i) => i.code === "invalid_type" && samePath(i.path) && valueAt(data, i.path) === undefined)
      .map((i) => String(i.path[i.path.length - 1]));
    const valid = schema ? objectKeysAt(schema, issue.path) : [];
    const suggestion = closest(unknown, valid.length ? valid : missing);
    const field = formatPath([...issue.path, unknown], pathPrefix);
    const hint = suggestion
      ? ` (did you mean ${showValue(suggestion)}?)`
      : valid.length
        ? ` (valid keys: ${valid.join(", ")})`
        : "";
    return new UserInputError(file, field, `unknown key ${showValue(unknown)}${hint}; check its spelling`);
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

/** The schema inside a default, optional, nullable or other wrapper that accepts what its inner schema does. */
function unwrapped(schema: z.core.$ZodType): z.core.$ZodType {
  let cur = schema;
  while (
    cur instanceof z.ZodOptional ||
    cur instanceof z.ZodExactOptional ||
    cur instanceof z.ZodNullable ||
    cur instanceof z.ZodDefault ||
    cur instanceof z.ZodPrefault ||
    cur instanceof z.ZodNonOptional ||
    cur instanceof z.ZodCatch ||
    cur instanceof z.ZodReadonly
  )
    cur = cur.unwrap();
  return cur;
}

/**
 * The keys a zod object schema accepts at `path` (through defaults,
 * optionals and arrays); empty when unknown. Read through zod's public
 * classes (`ZodObject.shape`, `ZodArray.element`, `.unwrap()`), not its
 * internal `_zod.def`.
 */
export function objectKeysAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  let cur = unwrapped(schema);
  for (const key of path) {
    if (cur instanceof z.ZodObject && typeof key === "string") {
      const field: z.core.$ZodType | undefined = cur.shape[key];
      if (field === undefined) return [];
      cur = unwrapped(field);
    } else if (cur instanceof z.ZodArray && typeof key === "number") cur = unwrapped(cur.element);
    else return [];
  }
  return cur instanceof z.ZodObject ? Object.keys(cur.shape) : [];
}

/** The candidate within edit distance 3 of `word`, if any. */
function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

/** Levenshtein distance between two strings (insertions, deletions and substitutions cost 1). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** Parses `data` with a schema or throws a UserInputError naming the file and field. */
export function parseWith<S extends z.ZodType>(schema: S, data: unknown, file: string, pathPrefix = ""): z.infer<S> {
  const result = schema.safeParse(data);
  if (!result.success) throw zodToUserError(file, result.error, data, pathPrefix, schema);
  return result.data;
}
