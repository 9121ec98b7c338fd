// Saleor Core's public face: the component, the types its callers pass, and who its pods run as.
export type { CoreSecrets, CoreSettings, PublicHosts } from "./env";
export { SaleorCore, coreRunAs, dashboardRunAs } from "./saleor-core";
export type { IngressSettings, MigrationSpec, SaleorCoreArgs } from "./types";
