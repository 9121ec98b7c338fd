export { RegionalLogs, type LogDeliveryMetric, type LogTarget, type RegionalLogsArgs } from "./regional-logs";
