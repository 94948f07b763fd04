/**
 * JSON output: the result object as is, with non-finite numbers (an
 * unreachable break-even, replicas for a model that does not fit) as null,
 * since JSON has no Infinity.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2);
}
