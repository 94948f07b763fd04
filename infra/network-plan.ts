import { UserInputError } from "../catalog/errors";
import type { ClusterConfig } from "./config-schema";

/**
 * Each stack's own network footprint, decided before any resource: the
 * names (prefixed by the stack, so two stacks in one project never ask GCP
 * for the same router, NAT, subnetwork or cluster), and the IP ranges,
 * checked for overlaps. GCP refuses a second Cloud NAT covering
 * ALL_SUBNETWORKS_ALL_IP_RANGES on one network, and a private cluster's
 * control-plane range may not overlap another range in its VPC, so both
 * collisions are caught here rather than by a failed `pulumi up`.
 */

/** An IPv4 range as numbers. */
export interface Ipv4Range {
  cidr: string;
  first: number;
  last: number;
}

/** Parses `a.b.c.d/n`; a host part that is not zero or an octet above 255 is an error naming the field. */
export function parseCidr(cidr: string, file: string, field: string): Ipv4Range {
  const [address = "", bitsText = ""] = cidr.split("/");
  const octets = address.split(".").map(Number);
  const bits = Number(bitsText);
  if (
    octets.length !== 4 ||
    octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255) ||
    !Number.isInteger(bits) ||
    bits < 0 ||
    bits > 32
  ) {
    throw new UserInputError(file, field, `${JSON.stringify(cidr)} is not an IPv4 range such as 10.10.0.0/20`);
  }
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - bits);
  if (base % size !== 0)
    throw new UserInputError(
      file,
      field,
      `${JSON.stringify(cidr)} has host bits set; the range starts at ${formatIpv4(base - (base % size))}/${bits}`,
    );
  return { cidr, first: base, last: base + size - 1 };
}

function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** True when two ranges share an address. */
export function overlaps(a: Ipv4Range, b: Ipv4Range): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/** The stack's ranges, by the config field that sets each. */
export function stackRanges(
  cluster: ClusterConfig,
  file: string,
  prefix: string,
): { field: string; range: Ipv4Range }[] {
  const fields = ["subnetworkCidr", "podsCidr", "servicesCidr", "masterIpv4CidrBlock"] as const;
  return fields.map((f) => ({
    field: `${prefix}cluster.${f}`,
    range: parseCidr(cluster[f], file, `${prefix}cluster.${f}`),
  }));
}

/** Refuses a stack whose own ranges overlap each other, naming both fields. */
export function checkRangesDisjoint(cluster: ClusterConfig, file: string, prefix: string): void {
  const ranges = stackRanges(cluster, file, prefix);
  for (let i = 0; i < ranges.length; i++) {
    for (let j = i + 1; j < ranges.length; j++) {
      const [a, b] = [ranges[i]!, ranges[j]!];
      if (overlaps(a.range, b.range)) {
        throw new UserInputError(
          file,
          b.field,
          `${b.range.cidr} overlaps ${a.field} ${a.range.cidr}; GCP refuses overlapping ranges in one VPC: choose a range outside it`,
        );
      }
    }
  }
}

/** Lower-case, dash-separated, at most 20 characters: a stack name made safe for GCP resource names. */
export function stackPrefix(stack: string): string {
  const safe = stack
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  const lettered = /^[a-z]/.test(safe) ? safe : `s-${safe}`;
  return lettered.slice(0, 20).replace(/-+$/, "");
}

/** GCP names of the stack's network resources, each prefixed by the stack. */
export interface StackNames {
  cluster: string;
  network: string;
  subnetwork: string;
  router: string;
  nat: string;
  webhookFirewall: string;
  nodeServiceAccountId: string;
  /** Network tag on every node of the stack, the firewall rule's target. */
  nodeTag: string;
}

/** The names for a stack; `cluster.name` and `cluster.network` override the cluster's and the network's. */
export function stackNames(stack: string, cluster: ClusterConfig): StackNames {
  const p = stackPrefix(stack);
  return {
    cluster: cluster.name ?? `llm-breakeven-${p}`.slice(0, 40).replace(/-+$/, ""),
    network: cluster.network ?? `${p}-vpc`,
    subnetwork: `${p}-nodes`,
    router: `${p}-router`,
    nat: `${p}-nat`,
    webhookFirewall: `${p}-allow-webhooks`,
    nodeServiceAccountId: `${p}-nodes`.padEnd(6, "x"),
    nodeTag: `${p}-node`,
  };
}
