/** Number formatting shared by the renderers, so a figure reads the same everywhere. */

/** `$1,234` (whole dollars) or `$1.39` under $100. */
export function usd(x: number): string {
  if (!Number.isFinite(x)) return "n/a";
  const abs = Math.abs(x);
  const digits = abs < 100 ? 2 : 0;
  const text = abs.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${x < 0 ? "-" : ""}$${text}`;
}

/** `20M`, `1.67B`, `750k`. */
export function tokens(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return "never";
  const abs = Math.abs(x);
  if (abs >= 1e9) return `${+(x / 1e9).toFixed(2)}B`;
  if (abs >= 1e6) return `${+(x / 1e6).toFixed(2)}M`;
  if (abs >= 1e3) return `${+(x / 1e3).toFixed(1)}k`;
  return `${Math.round(x)}`;
}

/** `62 %`; above 100 % is shown as is (it means "not reachable"). */
export function pct(share: number): string {
  if (!Number.isFinite(share)) return "n/a";
  return `${+(share * 100).toFixed(share < 0.1 ? 1 : 0)} %`;
}

/** A number with at most `digits` decimals. */
export function num(x: number, digits = 1): string {
  if (!Number.isFinite(x)) return "n/a";
  return (+x.toFixed(digits)).toLocaleString("en-US");
}

/** Aligns rows of cells into a plain-text table. */
export function textTable(rows: string[][], rightAlign: boolean[] = []): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) => row.map((cell, i) => (rightAlign[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join("  ").trimEnd())
    .join("\n");
}

/** A GitHub-flavoured markdown table. */
export function markdownTable(header: string[], rows: string[][], rightAlign: boolean[] = []): string {
  const sep = header.map((_, i) => (rightAlign[i] ? "---:" : "---"));
  return [header, sep, ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");
}
