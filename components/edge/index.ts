export { MediaCdn, withMediaCustomDomain, type MediaCdnArgs } from "./media-cdn";
export { RegionalEdge, type RegionalEdgeArgs } from "./regional";
export { managedRuleGroups } from "./waf";
