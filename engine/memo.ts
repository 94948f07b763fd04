/**
 * One trie node of a {@link memoize} cache: objects in the key are held
 * weakly (a catalog or scenario that is dropped takes its entries with it),
 * plain values (numbers, strings) strongly, in a map bounded per node.
 */
interface MemoNode<V> {
  weak?: WeakMap<object, MemoNode<V>>;
  strong?: Map<unknown, MemoNode<V>>;
  has: boolean;
  value?: V;
}

/** How {@link memoize} bounds the plain-value maps. */
export interface MemoOptions {
  /**
   * Entries one node keeps for plain key parts before it starts over; the
   * object parts need no bound (they are held weakly). Defaults to 256.
   */
  maxPlainEntries?: number;
}

const DEFAULT_MAX_PLAIN_ENTRIES = 256;

function isObjectKey(part: unknown): part is object {
  return (typeof part === "object" && part !== null) || typeof part === "function";
}

function child<V>(node: MemoNode<V>, part: unknown, maxPlainEntries: number): MemoNode<V> {
  if (isObjectKey(part)) {
    const weak = (node.weak ??= new WeakMap());
    let next = weak.get(part);
    if (!next) weak.set(part, (next = { has: false }));
    return next;
  }
  const strong = (node.strong ??= new Map());
  let next = strong.get(part);
  if (!next) {
    if (strong.size >= maxPlainEntries) strong.clear();
    strong.set(part, (next = { has: false }));
  }
  return next;
}

/**
 * The engine's one memo: `compute` run once per key, the key being the
 * arguments themselves unless `keyOf` picks the parts that decide the result
 * (objects by identity, plain values by value). For pure functions of catalog
 * objects only: evaluate() runs about 100k times a second and most calls
 * repeat a model, checkpoint and GPU with another volume, so the memory fit
 * and the throughput constants are worth keeping (`npm run bench` prints the
 * rate).
 */
export function memoize<Args extends unknown[], V>(
  compute: (...args: Args) => V,
  keyOf: (...args: Args) => readonly unknown[] = (...args) => args,
  options: MemoOptions = {},
): (...args: Args) => V {
  const root: MemoNode<V> = { has: false };
  const maxPlainEntries = options.maxPlainEntries ?? DEFAULT_MAX_PLAIN_ENTRIES;
  return (...args: Args): V => {
    let node = root;
    for (const part of keyOf(...args)) node = child(node, part, maxPlainEntries);
    if (!node.has) {
      node.value = compute(...args);
      node.has = true;
    }
    return node.value as V;
  };
}
