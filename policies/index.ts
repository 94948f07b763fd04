import { PolicyPack } from "@pulumi/policy";
import { POLICIES, POLICY_PACK_NAME } from "./registry";

// The pack the Pulumi CLI runs for `pulumi preview --policy-pack policies`, the
// offline preview runs compiled from dist/policies, and `npm run pack:policy`
// bundles into dist/policy-pack for `pulumi policy publish`.
new PolicyPack(POLICY_PACK_NAME, {
  description: "Cost and safety checks for self-hosted LLM serving on GKE GPU node pools.",
  policies: [...POLICIES],
});
