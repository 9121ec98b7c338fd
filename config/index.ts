export * from "./schema";
export {
    ConfigError,
    coreVersionOf,
    engineConfigSource,
    loadStackConfig,
    validateStackConfig,
    formatPath,
    namespace,
    type ConfigSource,
} from "./load";
export { environmentDefaults, deepMerge } from "./defaults";
