// The cluster component's public face: the component and the types its callers pass and receive.
export { RegionalCluster } from "./regional-cluster";
export type { AwsClusterArgs, ExistingClusterArgs, NetworkFacts, NodeGroupArgs, RegionalClusterArgs } from "./types";
