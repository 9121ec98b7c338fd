export * from "./schema";
export {
    ConfigError,
    coreVersionOf,
    engineConfigSource,
    loadStackConfig,
    validateStackConfig,
    formatPath,
    namespace,
    senderDomain,
    sesAvailable,
    type ConfigSource,
} from "./load";
export { environmentDefaults, deepMerge } from "./defaults";
