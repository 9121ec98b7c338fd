export * from "./schema";
export { ConfigError, engineConfigSource, loadStackConfig, validateStackConfig, formatPath, namespace, type ConfigSource } from "./load";
export { environmentDefaults, deepMerge } from "./defaults";
