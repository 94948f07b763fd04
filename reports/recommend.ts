import type { Exclusion, Recommendation, RecommendOption } from "../engine/recommend";
import type { Scenario } from "../engine/scenario";
import { markdownTable, textTable, tokens, usd } from "./format";
import { toJson } from "./json";
import { optionLabel, optionReason } from "./recommend-reasons";
import { renderStackSnippet, stackConfigFor, snippetOption } from "./recommend-snippet";

const signedUsd = (x: number | null) => (x === null ? "n/a" : `${x > 0 ? "+" : ""}${usd(x)}`);

function intro(rec: Recommendation, scenario: Scenario): string {
  const s = rec.searched;
  return `Cheapest ways to serve ${scenario.model}, ${tokens(scenario.workload.outputTokensPerMonth)} output tokens a month in ${scopeLabel(rec)} (searched ${s.machineTypes} machine types, ${s.layouts} TP/PP layouts, ${s.offers} prices, ${s.evaluations} evaluations):`;
}

/** Where the search looked, and how to widen it when it was narrowed to the declared region or pricing. */
export function scopeLabel(rec: Recommendation): string {
  const { regions, pricing, allowSpot } = rec.scope;
  const where = regions === "all" ? "every priced region" : regions.join(", ");
  const how =
    pricing === "any"
      ? `any pricing${allowSpot ? "" : " but spot"}`
      : pricing.filter((p) => allowSpot || p !== "spot").join(", ") || "no pricing model (spot excluded)";
  const widen = [regions === "all" ? "" : "--regions all", pricing === "any" ? "" : "--pricing any"].filter(Boolean);
  return `${where}, ${how}${widen.length ? ` (widen with ${widen.join(" ")})` : ""}`;
}

/** Where the prices come from and how old they are: GPU catalog dates of the options shown, the API price data. */
function pricesLine(rec: Recommendation, shown: RecommendOption[]): string {
  const dates = [...new Set(shown.flatMap((o) => (o.selfHost?.priceAsOf ? [o.selfHost.priceAsOf] : [])))].sort();
  const gpu = dates.length
    ? `GPU prices from catalog/data/gcp-gpu-machine-prices.csv as of ${dates.join(", ")}`
    : "no GPU price shown";
  return `Prices: ${gpu}; API prices ${rec.api.pricesAsOf ?? "set in the stack"}.`;
}

const EXCLUSION_TITLE: Record<Exclusion["kind"], string> = {
  "does-not-fit": "cannot hold the model",
  "misses-latency": "miss the latency floor even at one request",
  "no-price": "have no price in the allowed regions and pricing models",
  "unknown-gpu": "name a GPU the catalog lacks",
  "vllm-refuses": "offer only layouts vLLM refuses",
};

/** Excluded machine types grouped by why, with one example of the reason (the JSON keeps each one's). */
function excludedLine(rec: Recommendation): string | undefined {
  if (!rec.excluded.length) return undefined;
  const groups = (Object.keys(EXCLUSION_TITLE) as Exclusion["kind"][]).flatMap((kind) => {
    const members = rec.excluded.filter((x) => x.kind === kind);
    const first = members[0];
    if (!first) return [];
    const example =
      kind === "does-not-fit" || kind === "vllm-refuses" ? ` (e.g. ${first.machineType}: ${first.reason})` : "";
    return [`${members.map((x) => x.machineType).join(", ")} ${EXCLUSION_TITLE[kind]}${example}`];
  });
  return `Not considered: ${groups.join("; ")}.`;
}

function apiNote(rec: Recommendation): string | undefined {
  return rec.apiAllowed ? undefined : "The API is not allowed for this workload: API and hybrid options are left out.";
}

function cells(o: RecommendOption, rec: Recommendation): string[] {
  return [
    String(o.rank),
    optionLabel(o, rec),
    usd(o.monthlyUsd),
    signedUsd(o.savingsVsApiMonthlyUsd),
    usd(o.usdPerMillionOutputTokens),
  ];
}

const HEADER = ["#", "Option", "Monthly", "Saves vs API", "$/1M output"];
const RIGHT = [true, false, true, true, true];

/** Plain-text ranking: the top `top` options, each with the reason it wins or loses, then the stack config of the best. */
export function renderRecommendTable(rec: Recommendation, scenario: Scenario, top: number): string {
  const shown = rec.options.slice(0, top);
  const rows = textTable([HEADER, ...shown.map((o) => cells(o, rec))], RIGHT).split("\n");
  const lines = [intro(rec, scenario), "", rows[0] ?? ""];
  shown.forEach((o, i) => lines.push(rows[i + 1] ?? "", `     ${optionReason(o, rec)}`));
  for (const note of [apiNote(rec), excludedLine(rec), pricesLine(rec, shown)]) if (note) lines.push("", note);
  for (const w of rec.priceWarnings) lines.push(`Warning: ${w}`);
  lines.push("", "Stack config:", renderStackSnippet(rec, scenario));
  return lines.join("\n");
}

/** Markdown ranking with reasons and the stack config of the best, for a PR comment. */
export function renderRecommendMarkdown(rec: Recommendation, scenario: Scenario, top: number): string {
  const shown = rec.options.slice(0, top);
  const parts = [
    "#### Recommendation",
    "",
    intro(rec, scenario),
    "",
    markdownTable(
      [...HEADER, "Why"],
      shown.map((o) => [...cells(o, rec), optionReason(o, rec)]),
      [...RIGHT, false],
    ),
  ];
  for (const note of [apiNote(rec), excludedLine(rec), pricesLine(rec, shown)]) if (note) parts.push("", `_${note}_`);
  if (rec.priceWarnings.length) parts.push("", ...rec.priceWarnings.map((w) => `> ⚠️ ${w}`));
  parts.push("", "```yaml", renderStackSnippet(rec, scenario), "```");
  return parts.join("\n");
}

/** JSON ranking: the top options (without their full evaluations), reasons, exclusions and the stack config as data and text. */
export function renderRecommendJson(rec: Recommendation, scenario: Scenario, top: number): string {
  const best = snippetOption(rec);
  return toJson({
    api: rec.api,
    apiAllowed: rec.apiAllowed,
    searched: rec.searched,
    scope: rec.scope,
    priceWarnings: rec.priceWarnings,
    options: rec.options
      .slice(0, top)
      .map(({ evaluation: _evaluation, ...o }) => ({ ...o, label: optionLabel(o, rec), reason: optionReason(o, rec) })),
    excluded: rec.excluded,
    stackConfig: best ? stackConfigFor(best, scenario) : null,
    stackConfigYaml: renderStackSnippet(rec, scenario),
  });
}
