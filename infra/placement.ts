import { UserInputError } from "../catalog/errors";
import { regionsFor, zonesFor, type ZoneCatalog } from "../catalog/zones";

/**
 * Where the cluster and its GPU pool go. Three settings name a region
 * (`gcp:region`, `llm-breakeven:node.region`, which prices the nodes, and
 * `llm-breakeven:cluster.region`) and `cluster.zones` names zones: they must
 * agree, or the stack would price one region and build in another. The
 * pool's zones must all offer the machine type (GKE refuses the pool
 * otherwise: "Accelerator type ... does not exist in zone"); by default they
 * are every zone of the region that does, from the zone catalog.
 */

/** The settings that name a place, as read from the stack config. */
export interface PlacementSettings {
  machineType: string;
  /** `llm-breakeven:node.region` (always set: the scenario defaults it). */
  nodeRegion: string;
  /** `gcp:region`, when set. */
  gcpRegion?: string | undefined;
  /** `llm-breakeven:cluster.region`, when set. */
  clusterRegion?: string | undefined;
  /** `llm-breakeven:cluster.zones`, when set. */
  zones?: string[] | undefined;
}

/** The agreed region and the GPU pool's zones. */
export interface Placement {
  region: string;
  zones: string[];
}

/** Checks the settings against each other and the zone catalog; every disagreement names both fields. */
export function resolvePlacement(s: PlacementSettings, catalog: ZoneCatalog, file: string, prefix: string): Placement {
  const nodeField = `${prefix}node.region`;
  if (s.gcpRegion !== undefined && s.gcpRegion !== s.nodeRegion) {
    throw new UserInputError(
      file,
      nodeField,
      `${JSON.stringify(s.nodeRegion)} disagrees with gcp:region ${JSON.stringify(s.gcpRegion)}: the nodes would be priced in one region and built in the other; set both to the same region`,
    );
  }
  if (s.clusterRegion !== undefined && s.clusterRegion !== s.nodeRegion) {
    throw new UserInputError(
      file,
      `${prefix}cluster.region`,
      `${JSON.stringify(s.clusterRegion)} disagrees with ${nodeField} ${JSON.stringify(s.nodeRegion)}; set both to the same region (or leave cluster.region out)`,
    );
  }
  const region = s.nodeRegion;
  const offered = zonesFor(catalog, s.machineType, region);
  if (offered.length === 0) {
    const elsewhere = regionsFor(catalog, s.machineType);
    throw new UserInputError(
      file,
      nodeField,
      `no zone of ${region} offers ${s.machineType} (catalog/data/gpu-machine-zones.csv); regions that do: ${elsewhere.join(", ") || "none in the catalog"}`,
    );
  }
  if (s.zones === undefined) return { region, zones: offered };
  s.zones.forEach((zone, i) => {
    const field = `${prefix}cluster.zones[${i}]`;
    if (!zone.startsWith(`${region}-`)) {
      throw new UserInputError(
        file,
        field,
        `${JSON.stringify(zone)} is not in ${nodeField} ${JSON.stringify(region)}; valid: ${offered.join(", ")}`,
      );
    }
    if (!offered.includes(zone)) {
      throw new UserInputError(
        file,
        field,
        `${JSON.stringify(zone)} does not offer ${s.machineType} (GKE would refuse the pool); valid in ${region}: ${offered.join(", ")}`,
      );
    }
  });
  return { region, zones: [...s.zones] };
}
