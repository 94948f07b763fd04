/**
 * A kubeconfig for a GKE cluster that authenticates with
 * `gke-gcloud-auth-plugin`, as pulumi/examples gcp-ts-gke builds it: no
 * long-lived credential is written into the stack state.
 */
export function gkeKubeconfig(args: { name: string; endpoint: string; clusterCaCertificate: string }): string {
  const { name, endpoint, clusterCaCertificate } = args;
  return `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${clusterCaCertificate}
    server: https://${endpoint}
  name: ${name}
contexts:
- context:
    cluster: ${name}
    user: ${name}
  name: ${name}
current-context: ${name}
kind: Config
preferences: {}
users:
- name: ${name}
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: gke-gcloud-auth-plugin
      installHint: Install gke-gcloud-auth-plugin for use with kubectl by following https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin
      provideClusterInfo: true
`;
}
