// The data tier's public face: the component and the types its callers pass and receive.
export { DataTier } from "./data-tier";
export type {
    AwsDataArgs,
    ConnectionFacts,
    DataTierArgs,
    InClusterDataArgs,
    MediaCdnOrigin,
    MediaStorage,
    PrimaryDataFacts,
} from "./types";
