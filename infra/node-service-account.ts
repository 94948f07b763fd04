import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

/** The stack's node service account and its role grants. */
export interface NodeServiceAccount {
  account: gcp.serviceaccount.Account;
  grants: gcp.projects.IAMMember[];
}

/**
 * A service account per stack for every node pool, granted only the roles
 * GKE documents for nodes (infra/data/gke-node-requirements.yaml), instead of
 * the project's default compute service account, which holds Editor in most
 * projects. Pools keep the cloud-platform scope: IAM, not scopes, limits
 * what the nodes may do.
 */
export function createNodeServiceAccount(
  project: string,
  accountId: string,
  roles: readonly string[],
  parent: pulumi.Resource,
): NodeServiceAccount {
  const account = new gcp.serviceaccount.Account(
    accountId,
    { project, accountId, displayName: `GKE nodes of ${pulumi.getStack()} (llm-breakeven)` },
    { parent },
  );
  const grants = roles.map(
    (role) =>
      new gcp.projects.IAMMember(
        `${accountId}-${role.replace(/^roles\//, "").replace(/\./g, "-")}`,
        { project, role, member: pulumi.interpolate`serviceAccount:${account.email}` },
        { parent },
      ),
  );
  return { account, grants };
}
