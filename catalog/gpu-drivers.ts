import { z } from "zod";
import { parseWith, UserInputError } from "./errors";
import { fromRoot } from "./paths";
import { readYaml } from "./read";

/**
 * The NVIDIA driver builds GKE can install at an exact version on each node
 * image, and the minimum driver of each serving image's CUDA
 * (`catalog/data/gke-gpu-drivers.yaml`, each row with its source). A pin
 * outside the table would leave the installer failing on every node
 * (cos-gpu-installer finds no precompiled build for the node's COS release),
 * so the program refuses it before any resource is declared.
 */

const DriverVersionSchema = z
  .string()
  .regex(/^\d{3}\.\d{2,3}(\.\d{2})?$/, "an NVIDIA driver version such as 570.124.06");

const DriverRowSchema = z
  .object({ version: DriverVersionSchema, status: z.enum(["read", "reported"]), source: z.string().min(1) })
  .strict();

/** `catalog/data/gke-gpu-drivers.yaml`. */
export const DriverTableSchema = z
  .object({
    version: z.literal(1),
    asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    nodeImages: z.record(
      z.string(),
      z.object({ installer: z.string().min(1), drivers: z.array(DriverRowSchema).min(1) }).strict(),
    ),
    cudaMinimumDriver: z
      .array(z.object({ cuda: z.string(), minimumDriver: DriverVersionSchema, source: z.string().min(1) }).strict())
      .min(1),
    servingImages: z
      .array(z.object({ vllmVersion: z.string(), cuda: z.string(), source: z.string().min(1) }).strict())
      .min(1),
  })
  .strict();
/** The validated driver table. */
export type DriverTable = z.infer<typeof DriverTableSchema>;

/** The data file, relative to the project root. */
export const DRIVER_TABLE_FILE = ["catalog", "data", "gke-gpu-drivers.yaml"] as const;

let cached: DriverTable | undefined;

/** Reads the driver table once per process. */
export function loadDriverTable(): DriverTable {
  if (cached) return cached;
  const file = fromRoot(...DRIVER_TABLE_FILE);
  return (cached = parseWith(DriverTableSchema, readYaml(file), file));
}

/** Compares two dotted driver versions numerically (570.124.06 < 575.51.03). */
export function compareDriverVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The host driver the vLLM release's stock image needs, with the CUDA version it comes from. */
export function minimumDriverFor(
  table: DriverTable,
  vllmVersion: string,
): { cuda: string; minimumDriver: string } | undefined {
  const image = table.servingImages.find((s) => s.vllmVersion === vllmVersion);
  const need = image && table.cudaMinimumDriver.find((c) => c.cuda === image.cuda);
  return need ? { cuda: need.cuda, minimumDriver: need.minimumDriver } : undefined;
}

/** Drivers of a node image that the serving image can run on, oldest first. */
export function installableDrivers(table: DriverTable, nodeImage: string, vllmVersion: string): string[] {
  const need = minimumDriverFor(table, vllmVersion);
  return (table.nodeImages[nodeImage]?.drivers ?? [])
    .map((d) => d.version)
    .filter((v) => need === undefined || compareDriverVersions(v, need.minimumDriver) >= 0)
    .sort(compareDriverVersions);
}

/**
 * Checks a driver pin: GKE must offer it on the node image, and it must be
 * new enough for the serving image's CUDA. A bad pin is a UserInputError
 * naming the field and the valid versions, nearest first.
 */
export function checkDriverPin(
  table: DriverTable,
  pin: { version: string; nodeImage: string; vllmVersion: string },
  file: string,
  field: string,
): void {
  const offered = table.nodeImages[pin.nodeImage];
  if (!offered)
    throw new UserInputError(
      file,
      field,
      `no driver table for node image ${pin.nodeImage}; valid images: ${Object.keys(table.nodeImages).join(", ")}`,
    );
  const valid = installableDrivers(table, pin.nodeImage, pin.vllmVersion);
  const need = minimumDriverFor(table, pin.vllmVersion);
  const nearest = [...valid].sort((a, b) => distance(a, pin.version) - distance(b, pin.version));
  const hint = nearest.length
    ? `valid, nearest first: ${nearest.join(", ")}`
    : `no ${pin.nodeImage} driver in the table is new enough; use another node image`;
  if (!offered.drivers.some((d) => d.version === pin.version)) {
    throw new UserInputError(
      file,
      field,
      `${JSON.stringify(pin.version)} is not a driver GKE installs on ${pin.nodeImage} (catalog/data/gke-gpu-drivers.yaml); ${hint}`,
    );
  }
  if (need && compareDriverVersions(pin.version, need.minimumDriver) < 0) {
    throw new UserInputError(
      file,
      field,
      `${JSON.stringify(pin.version)} is older than ${need.minimumDriver}, the minimum driver of CUDA ${need.cuda} in vLLM ${pin.vllmVersion}'s image; ${hint}`,
    );
  }
}

/** Distance between two versions for "nearest" ordering: branch first, then build. */
function distance(a: string, b: string): number {
  const [a0 = 0, a1 = 0, a2 = 0] = a.split(".").map(Number);
  const [b0 = 0, b1 = 0, b2 = 0] = b.split(".").map(Number);
  return Math.abs(a0 - b0) * 1e6 + Math.abs(a1 - b1) * 1e3 + Math.abs(a2 - b2);
}
