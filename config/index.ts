export * from "./schema";
export {
    ConfigError,
    engineConfigSource,
    loadStackConfig,
    validateStackConfig,
    formatPath,
    marketsOf,
    namespace,
    senderDomain,
    sesAvailable,
    type ConfigSource,
    type Market,
} from "./load";
export { environmentDefaults, deepMerge } from "./defaults";
