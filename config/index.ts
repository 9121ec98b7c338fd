export * from "./schema";
export {
    ConfigError,
    coreVersionOf,
    engineConfigSource,
    loadStackConfig,
    validateStackConfig,
    formatPath,
    marketsOf,
    namespace,
    type ConfigSource,
    type Market,
} from "./load";
export { environmentDefaults, deepMerge } from "./defaults";
