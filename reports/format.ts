/** Tables for the renderers; the number formats live in engine/format.ts, below every adapter. */
export { num, pct, tokens, usd } from "../engine/format";

/** Aligns rows of cells into a plain-text table. */
export function textTable(rows: string[][], rightAlign: boolean[] = []): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (rightAlign[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** A GitHub-flavoured markdown table. */
export function markdownTable(header: string[], rows: string[][], rightAlign: boolean[] = []): string {
  const sep = header.map((_, i) => (rightAlign[i] ? "---:" : "---"));
  return [header, sep, ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");
}
