// Saleor Core's public face: the component, the types its callers pass, and who its pods run as.
export { dashboardRunAs } from "./dashboard";
export type { CoreSecrets, CoreSettings, PublicHosts } from "./env";
export { coreRunAs } from "./runtime";
export { SaleorCore } from "./saleor-core";
export type { HealthCheck, IngressSettings, MigrationSpec, RootRedirect, SaleorCoreArgs } from "./types";
