import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { widgetMetrics, type Signal } from "./signals";

/** One graph: an alarm's signal with its threshold drawn in. */
export interface DashboardGraph {
    readonly title: string;
    readonly signal: Signal;
    readonly period: number;
    readonly threshold: number;
    readonly thresholdLabel: string;
}

export interface AlarmDashboardArgs {
    readonly dashboardName: string;
    readonly region: string;
    /** Alarms shown together in the status widget at the top. */
    readonly alarmArns: pulumi.Input<string>[];
    readonly graphs: DashboardGraph[];
}

/**
 * A dashboard of one region: the state of every alarm, then one graph per alarm drawn from exactly
 * the metric (or metric math) the alarm evaluates, with its threshold as a line.
 */
export function createAlarmDashboard(name: string, args: AlarmDashboardArgs, parent: pulumi.Resource): aws.cloudwatch.Dashboard {
    const width = 12;
    const height = 6;
    const status = {
        type: "alarm",
        x: 0,
        y: 0,
        width: 24,
        height: 3,
        properties: { title: "Alarms", alarms: args.alarmArns },
    };
    const graphs = args.graphs.map((g, i) => ({
        type: "metric",
        x: (i % 2) * width,
        y: 3 + Math.floor(i / 2) * height,
        width,
        height,
        properties: {
            title: g.title,
            region: args.region,
            view: "timeSeries",
            period: g.period,
            metrics: widgetMetrics(g.signal),
            annotations: { horizontal: [{ label: g.thresholdLabel, value: g.threshold }] },
        },
    }));
    return new aws.cloudwatch.Dashboard(
        name,
        {
            dashboardName: args.dashboardName,
            dashboardBody: pulumi.jsonStringify({ widgets: [status, ...graphs] }),
        },
        { parent },
    );
}
