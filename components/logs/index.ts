export { RegionalLogs, type LogTarget, type RegionalLogsArgs } from "./regional-logs";
