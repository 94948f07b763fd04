import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";

/**
 * Reads NVIDIA aiconfigurator's per-op measured tables
 * (ai-dynamo/aiconfigurator, Apache-2.0) from a checkout or from a bare git
 * mirror. The tables live under
 * `aic-core/src/aiconfigurator_core/systems/data/<system>/<op>/<framework>/<version>/`
 * as parquet files; a version folder that holds only `reuse.yaml` points at
 * another version's table (`reuse: [{ table, from_version }]`). Used only by
 * the maintainer script `npm run aiconfigurator-ops`; nothing at run time
 * reads the parquet.
 */

/** Where the system tables live inside the repository. */
export const SYSTEMS_DATA_DIR = "aic-core/src/aiconfigurator_core/systems/data";

/** One aiconfigurator source: a work tree or a bare git directory, at one commit. */
export interface TableSource {
  /** Reads a file of the repository by its path inside it, or undefined when absent. */
  read(repoPath: string): Buffer | undefined;
  /** The commit the files come from. */
  commit: string;
}

function git(dir: string, args: string[]): Buffer {
  return execFileSync("git", ["--git-dir", dir, ...args], { maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "ignore"] });
}

/**
 * Opens `dir` as an aiconfigurator checkout (it has `aic-core/`) or a bare git
 * mirror (it has `HEAD` and `objects/`); throws a message naming what was
 * expected otherwise.
 */
export function openTableSource(dir: string): TableSource {
  if (fs.existsSync(path.join(dir, "aic-core"))) {
    const gitDir = fs.existsSync(path.join(dir, ".git")) ? path.join(dir, ".git") : dir;
    return {
      read: (p) => (fs.existsSync(path.join(dir, p)) ? fs.readFileSync(path.join(dir, p)) : undefined),
      commit: git(gitDir, ["rev-parse", "HEAD"]).toString().trim(),
    };
  }
  if (fs.existsSync(path.join(dir, "HEAD")) && fs.existsSync(path.join(dir, "objects"))) {
    const commit = git(dir, ["rev-parse", "HEAD"]).toString().trim();
    return {
      read: (p) => {
        try {
          return git(dir, ["show", `${commit}:${p}`]);
        } catch {
          return undefined;
        }
      },
      commit,
    };
  }
  throw new Error(
    `${dir}: not an aiconfigurator checkout (no aic-core/) nor a bare git mirror (no HEAD and objects/); pass the path of a clone of github.com/ai-dynamo/aiconfigurator`,
  );
}

const ReuseSchema = (data: unknown, file: string): { table: string; from_version: string }[] => {
  const reuse = (data as { reuse?: unknown } | null)?.reuse;
  if (!Array.isArray(reuse)) throw new Error(`${file}: expected a list under "reuse"`);
  return reuse.map((r: { table?: unknown; from_version?: unknown }, i) => {
    if (typeof r.table !== "string" || typeof r.from_version !== "string")
      throw new Error(`${file}: reuse[${i}] needs "table" and "from_version" strings`);
    return { table: r.table, from_version: r.from_version };
  });
};

/** A measured table found for one system, op and framework release. */
export interface FoundTable {
  /** Repository path of the parquet file actually read. */
  repoPath: string;
  /** The release whose measurement it is (after following reuse.yaml). */
  version: string;
  rows: Record<string, unknown>[];
}

/**
 * The rows of `<system>/<op>/<framework>/<version>/<table>.parquet`,
 * following `reuse.yaml` to the donor release when the folder has no parquet
 * of its own; undefined when neither exists. BigInt cells become numbers.
 */
export async function readTable(
  source: TableSource,
  at: { system: string; op: string; framework: string; version: string; table: string },
): Promise<FoundTable | undefined> {
  const dir = `${SYSTEMS_DATA_DIR}/${at.system}/${at.op}/${at.framework}/${at.version}`;
  const repoPath = `${dir}/${at.table}.parquet`;
  const buf = source.read(repoPath);
  if (!buf) {
    const reuseFile = `${dir}/reuse.yaml`;
    const reuse = source.read(reuseFile);
    if (!reuse) return undefined;
    const donor = ReuseSchema(parseYaml(reuse.toString("utf8")), reuseFile).find((r) => r.table === at.table);
    if (!donor || donor.from_version === at.version) return undefined;
    return readTable(source, { ...at, version: donor.from_version });
  }
  // hyparquet is an ES module: imported where needed, as the project compiles to CommonJS.
  const { parquetReadObjects } = await import("hyparquet");
  const { compressors } = await import("hyparquet-compressors");
  const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  const raw = (await parquetReadObjects({ file, compressors })) as Record<string, unknown>[];
  const rows = raw.map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v])),
  );
  return { repoPath, version: at.version, rows };
}

/**
 * The straight line `y = intercept + x / rate` closest to the points in
 * relative terms (weights 1 / y^2, so a 5 µs kernel counts as much as a 5 ms
 * one), with a non-negative intercept: a kernel's latency against the bytes
 * or FLOPs it moves. The rate is the sustained throughput, the intercept the
 * fixed cost of one call.
 */
export function fitLatencyLine(points: { x: number; y: number }[]): { intercept: number; rate: number } {
  if (points.length < 2) throw new Error(`a latency line needs at least two points, got ${points.length}`);
  let sw = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (const { x, y } of points) {
    const w = 1 / (y * y);
    sw += w;
    sx += w * x;
    sy += w * y;
    sxx += w * x * x;
    sxy += w * x * y;
  }
  const det = sw * sxx - sx * sx;
  let slope = (sw * sxy - sx * sy) / det;
  let intercept = (sy - slope * sx) / sw;
  if (intercept < 0) {
    intercept = 0;
    slope = sxy / sxx;
  }
  return { intercept, rate: 1 / slope };
}

/**
 * Weighted least squares for `y = sum_j coef_j x_j` with weights 1 / y^2
 * (relative error), by the normal equations; the coefficients in the
 * features' order.
 */
export function relativeLeastSquares(points: { features: number[]; y: number }[]): number[] {
  const n = points[0]!.features.length;
  const ata = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const atb = new Array<number>(n).fill(0);
  for (const { features, y } of points) {
    const w = 1 / (y * y);
    for (let i = 0; i < n; i++) {
      atb[i]! += w * features[i]! * y;
      for (let j = 0; j < n; j++) ata[i]![j]! += w * features[i]! * features[j]!;
    }
  }
  // Gaussian elimination with partial pivoting on the small n x n system.
  const m = ata.map((row, i) => [...row, atb[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r]![col]! / m[col]![col]!;
      for (let k = col; k <= n; k++) m[r]![k]! -= f * m[col]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}
