import { parseQuantity } from "../lib/quantity";
import { CpuMemory, setting } from "../lib/settings";
import { isKnown, known, Maybe } from "../lib/unknown";
import { ContainerRef, containersOf, Workload, workloadRule } from "./workload";

const resourceNames = ["cpu", "memory"] as const;
type ResourceName = (typeof resourceNames)[number];
type Bound = "requests" | "limits";

function resourceValue(ref: ContainerRef, bound: Bound, resource: ResourceName): Maybe<string | number | undefined> {
    return known(() => ref.container.resources?.[bound]?.[resource]);
}

export const resourcesSpecified = workloadRule({
    name: "kubernetes-workload-resources-specified",
    description:
        "Every workload container must declare CPU and memory requests and limits so the scheduler can place it and one pod cannot starve the node.",
    enforcementLevel: "mandatory",
    category: "reliability",
    validate: (workload, { report }) => {
        for (const ref of containersOf(workload)) {
            const missing: string[] = [];
            for (const bound of ["requests", "limits"] as const) {
                for (const resource of resourceNames) {
                    const value = resourceValue(ref, bound, resource);
                    if (value === undefined || value === null || value === "") {
                        missing.push(`${bound}.${resource}`);
                    }
                }
            }
            if (missing.length > 0) {
                report(
                    `${workload.label}: ${ref.label} has no ${missing.join(", ")}; set resources.requests and resources.limits for cpu and memory.`,
                );
            }
        }
    },
});

function checkBound(
    workload: Workload,
    ref: ContainerRef,
    bound: Bound,
    expected: CpuMemory | undefined,
    direction: "at most" | "at least",
    why: string,
    report: (message: string) => void,
    reportedInvalid: Set<string>,
): void {
    for (const resource of resourceNames) {
        const threshold = expected?.[resource];
        const actual = resourceValue(ref, bound, resource);
        if (threshold === undefined || actual === undefined || !isKnown(actual)) {
            continue;
        }
        const actualValue = parseQuantity(actual);
        const thresholdValue = parseQuantity(threshold);
        if (actualValue === undefined) {
            if (reportedInvalid.has(`${bound}.${resource}`)) {
                continue;
            }
            reportedInvalid.add(`${bound}.${resource}`);
            report(
                `${workload.label}: ${ref.label} ${bound}.${resource} "${actual}" is not a Kubernetes quantity; use e.g. "500m", "1", "512Mi" or "2Gi".`,
            );
            continue;
        }
        if (thresholdValue === undefined) {
            continue;
        }
        const outside = direction === "at most" ? actualValue > thresholdValue : actualValue < thresholdValue;
        if (outside) {
            const change = direction === "at most" ? "lower" : "raise";
            report(
                `${workload.label}: ${ref.label} ${bound}.${resource} is ${actual}, ${direction === "at most" ? "above" : "below"} the ${threshold} ${why}; ${change} resources.${bound}.${resource}.`,
            );
        }
    }
}

export const resourcesWithinRange = workloadRule({
    name: "kubernetes-workload-resources-within-range",
    description:
        "Container requests and limits must stay inside the stack's sizing: limits under the stack's ceiling, and the sizes the deployment guide sets per component as a floor.",
    enforcementLevel: "mandatory",
    category: "sizing",
    settings: {
        maxLimits: setting.cpuMemory({ cpu: "2", memory: "4Gi" }, "Largest CPU and memory limit any container may set."),
        componentMinimums: setting.componentSizes(
            {
                // Production guide (the Deployment Instructions): web pods reserve 1 CPU / 2 GiB and may use 2 CPU / 4 GiB; Celery workers 1 CPU / 2 GiB.
                api: { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "2", memory: "4Gi" } },
                worker: { limits: { cpu: "1", memory: "2Gi" } },
            },
            "Per pod component label: the requests and limits its containers need at least (init containers excepted).",
        ),
    },
    validate: (workload, { config, report }) => {
        const component = workload.component;
        const minimums = isKnown(component) && component !== undefined ? config.componentMinimums[component] : undefined;
        for (const ref of containersOf(workload)) {
            const invalid = new Set<string>();
            checkBound(workload, ref, "limits", config.maxLimits, "at most", "this stack allows", report, invalid);
            if (minimums && !ref.init) {
                const why = `this stack requires for component "${String(component)}"`;
                checkBound(workload, ref, "requests", minimums.requests, "at least", why, report, invalid);
                checkBound(workload, ref, "limits", minimums.limits, "at least", why, report, invalid);
            }
        }
    },
});
