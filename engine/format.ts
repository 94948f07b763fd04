/**
 * Number formatting shared by every adapter that writes a figure for people
 * (reports, policy messages, the program's outputs), so a figure reads the
 * same everywhere. Pure, so it sits below them all.
 */

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
