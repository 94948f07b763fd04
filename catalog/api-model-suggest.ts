import { findProvider } from "@pydantic/genai-prices";
import { editDistance } from "./errors";

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The ids a provider has in @pydantic/genai-prices nearest to one it does
 * not: first those whose name or description names the asked id as a word
 * (genai-prices calls DeepSeek-V3 `deepseek-chat` and says so in its
 * description), then by edit distance. Undefined when the provider is unknown.
 */
export function nearestApiModelIds(providerId: string, model: string, count = 5): string[] | undefined {
  const provider = findProvider({ providerId });
  if (!provider) return undefined;
  const asked = model.toLowerCase();
  const word = new RegExp(`(^|[^a-z0-9.])${escape(asked)}([^a-z0-9.]|$)`);
  const scored = provider.models.map((m) => {
    const text = `${m.name ?? ""} ${m.description ?? ""}`.toLowerCase();
    return { id: m.id, named: word.test(text) ? 0 : 1, distance: editDistance(asked, m.id.toLowerCase()) };
  });
  scored.sort((a, b) => a.named - b.named || a.distance - b.distance || a.id.localeCompare(b.id));
  return scored.slice(0, count).map((s) => s.id);
}
