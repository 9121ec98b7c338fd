import { PolicyResource } from "@pulumi/policy";
import { asWorkload, commandLineOf, containersOf, REPLICATED_APP_TYPES, ROLLOUT_TYPE } from "../kubernetes/workload";
import { k8s } from "../kubernetes/types";
import { stackRule } from "../lib/define";
import { setting } from "../lib/settings";
import { isKnown, known, Maybe, UNKNOWN } from "../lib/unknown";

/** Whether the resource is a Job that runs `manage.py migrate`; UNKNOWN when its command is not known yet. */
export function isMigrationJob(resource: PolicyResource): Maybe<boolean> {
    if (resource.type !== k8s.batch.Job.__pulumiType) {
        return false;
    }
    const workload = asWorkload(resource)!;
    if (!isKnown(workload.podSpec)) {
        return UNKNOWN;
    }
    let sawUnknown = false;
    for (const ref of containersOf(workload, { init: false })) {
        const commandLine = commandLineOf(ref.container);
        if (!isKnown(commandLine)) {
            sawUnknown = true;
        } else if (/manage\.py/.test(commandLine) && /\bmigrate\b/.test(commandLine)) {
            return true;
        }
    }
    return sawUnknown ? UNKNOWN : false;
}

/** The first migration Job among everything the resource waits for, directly or through other resources. */
function waitsForMigration(start: PolicyResource): Maybe<boolean> {
    const seen = new Set<string>([start.urn]);
    const queue = [...start.dependencies];
    let sawUnknown = false;
    while (queue.length > 0) {
        const resource = queue.shift()!;
        if (seen.has(resource.urn)) {
            continue;
        }
        seen.add(resource.urn);
        const migration = isMigrationJob(resource);
        if (migration === true) {
            return true;
        }
        sawUnknown ||= migration === UNKNOWN;
        queue.push(...resource.dependencies);
    }
    return sawUnknown ? UNKNOWN : false;
}

export const coreWaitsForMigration = stackRule({
    name: "kubernetes-saleor-core-waits-for-migration",
    description:
        "Every Deployment or Argo Rollout running the Saleor Core image must depend on a batch/v1 Job that runs `manage.py migrate`, so new code never starts against an old schema.",
    enforcementLevel: "mandatory",
    category: "reliability",
    guards: [k8s.apps.Deployment.__pulumiType, ROLLOUT_TYPE, k8s.batch.Job.__pulumiType],
    settings: {
        coreImagePatterns: setting.strings(
            ["ghcr.io/saleor/saleor:", "ghcr.io/saleor/saleor@", "/saleor-core:", "/saleor-core@"],
            "Substrings of an image reference that mark the Saleor Core image (upstream or a derived image in ECR).",
        ),
    },
    validate: (args, { config, report }) => {
        const deployments = args.resources.filter((r) => REPLICATED_APP_TYPES.includes(r.type));
        if (deployments.length === 0) {
            args.notApplicable("the stack has no Deployments");
        }
        for (const resource of deployments) {
            const workload = asWorkload(resource)!;
            const runsCore = containersOf(workload, { init: false }).some((ref) => {
                const image = known(() => ref.container.image);
                return isKnown(image) && typeof image === "string" && config.coreImagePatterns.some((pattern) => image.includes(pattern));
            });
            if (runsCore && waitsForMigration(resource) === false) {
                report(
                    `${workload.label} runs the Saleor Core image but does not wait for a migration Job; add dependsOn on the batch/v1 Job that runs "manage.py migrate" for the same image.`,
                    resource.urn,
                );
            }
        }
    },
});
