import { parse } from "csv-parse/sync";
import { z } from "zod";
import { parseWith, UserInputError } from "./errors";
import { fromRoot } from "./paths";
import { readText } from "./read";

/**
 * Which zones of a region offer a GPU machine type. A GKE node pool whose
 * zones do not all offer its machine type is refused ("Accelerator type ...
 * does not exist in zone"), and a pool without `nodeLocations` takes the
 * cluster's zones, so the program picks the pool's zones from this catalog.
 * Data: `catalog/data/gpu-machine-zones.csv` (source and date per row; see
 * catalog/data/README.md).
 */

/** One row of `catalog/data/gpu-machine-zones.csv`. */
export const MachineZoneRowSchema = z.object({
  machine_type: z.string().min(1),
  region: z.string().regex(/^[a-z]+-[a-z]+\d+$/, "a region such as us-central1"),
  zone: z.string().regex(/^[a-z]+-[a-z]+\d+-[a-z]$/, "a zone such as us-central1-a"),
  as_of: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  source: z.string().min(1),
});
/** A machine-zone row. */
export type MachineZoneRow = z.infer<typeof MachineZoneRowSchema>;

/** Zones per machine type and region. */
export interface ZoneCatalog {
  rows: MachineZoneRow[];
  /** `machineType@region` -> zones, sorted. */
  byKey: Map<string, string[]>;
}

/** The data file, relative to the project root. */
export const MACHINE_ZONES_FILE = ["catalog", "data", "gpu-machine-zones.csv"] as const;

const key = (machineType: string, region: string) => `${machineType}@${region}`;

/** Parses the zone CSV (pure); a zone outside its row's region is an error naming the row. */
export function parseZoneCatalog(text: string, file: string): ZoneCatalog {
  const records = parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  const rows = records.map((record, index) => parseWith(MachineZoneRowSchema, record, file, `row ${index + 2}`));
  const byKey = new Map<string, string[]>();
  rows.forEach((row, index) => {
    if (!row.zone.startsWith(`${row.region}-`)) {
      throw new UserInputError(file, `row ${index + 2}.zone`, `${row.zone} is not in region ${row.region}`);
    }
    const k = key(row.machine_type, row.region);
    byKey.set(k, [...(byKey.get(k) ?? []), row.zone].sort());
  });
  return { rows, byKey };
}

let cached: ZoneCatalog | undefined;

/** Reads `catalog/data/gpu-machine-zones.csv` once per process. */
export function loadZoneCatalog(): ZoneCatalog {
  if (cached) return cached;
  const file = fromRoot(...MACHINE_ZONES_FILE);
  return (cached = parseZoneCatalog(readText(file), file));
}

/** Zones of `region` that offer `machineType`; empty when the catalog knows none. */
export function zonesFor(catalog: ZoneCatalog, machineType: string, region: string): string[] {
  return catalog.byKey.get(key(machineType, region)) ?? [];
}

/** Regions where the catalog lists `machineType`, sorted. */
export function regionsFor(catalog: ZoneCatalog, machineType: string): string[] {
  return [...new Set(catalog.rows.filter((r) => r.machine_type === machineType).map((r) => r.region))].sort();
}
