import { describe, expect, it } from "vitest";
import { memoize } from "../engine/memo";

describe("memoize", () => {
  it("runs the function once per object argument and returns the first result after", () => {
    let runs = 0;
    const double = memoize((box: { n: number }) => (runs++, box.n * 2));
    const box = { n: 21 };
    expect([double(box), double(box), double(box)]).toEqual([42, 42, 42]);
    expect(runs).toBe(1);
  });

  it("tells objects apart by identity, not by their contents", () => {
    let runs = 0;
    const size = memoize((box: { n: number }) => (runs++, box.n));
    size({ n: 1 });
    size({ n: 1 });
    expect(runs).toBe(2);
  });

  it("keys on the parts keyOf picks: objects by identity, plain values by value", () => {
    let runs = 0;
    const model = { id: "m" };
    const fit = memoize(
      (input: { model: object; len: number; label: string }) => (runs++, input.len),
      (input) => [input.model, input.len],
    );
    expect(fit({ model, len: 8192, label: "a" })).toBe(8192);
    expect(fit({ model, len: 8192, label: "b" })).toBe(8192);
    expect(runs).toBe(1);
    expect(fit({ model, len: 4096, label: "a" })).toBe(4096);
    expect(runs).toBe(2);
  });

  it("keeps undefined results instead of running again", () => {
    let runs = 0;
    const nothing = memoize((_: object): undefined => void runs++);
    const key = {};
    nothing(key);
    nothing(key);
    expect(runs).toBe(1);
  });

  it("starts a plain-value map over once it holds maxPlainEntries keys", () => {
    let runs = 0;
    const same = memoize((n: number) => (runs++, n), undefined, { maxPlainEntries: 2 });
    same(1);
    same(2);
    same(1); // still held: 2 runs
    same(3); // the map is full: it starts over, holding 3 only
    same(1); // run again
    expect(runs).toBe(4);
  });
});
