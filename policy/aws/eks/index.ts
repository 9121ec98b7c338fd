import { eksControlPlaneLogging, eksPublicEndpointRestricted, eksSecretsEncrypted } from "./cluster";
import { nodeGroupInstanceTypeAllowed, nodeGroupMaxSize, nodeGroupMinSize } from "./node-group";

export * from "./cluster";
export * from "./node-group";

export const eksPolicies = [
    eksPublicEndpointRestricted,
    eksControlPlaneLogging,
    eksSecretsEncrypted,
    nodeGroupInstanceTypeAllowed,
    nodeGroupMinSize,
    nodeGroupMaxSize,
];
export * from "./instance-vcpus";
