import {
    elasticacheAtRestEncryption,
    elasticacheAuthToken,
    elasticacheInTransitEncryption,
    elasticacheMultiAzFailover,
} from "./replication-group";

export * from "./replication-group";

export const elasticachePolicies = [
    elasticacheAtRestEncryption,
    elasticacheInTransitEncryption,
    elasticacheAuthToken,
    elasticacheMultiAzFailover,
];
