import { runsCeleryBeat } from "../kubernetes/celery-beat";
import { k8s } from "../kubernetes/types";
import { asWorkload, commandLineOf, containersOf } from "../kubernetes/workload";
import { stackRule } from "../lib/define";
import { setting } from "../lib/settings";
import { isKnown, known } from "../lib/unknown";

/**
 * Beat schedules periodic tasks for a database. Regions that share one database (a writer and its
 * replicas) must share one scheduler, wherever it runs: each beat alone may be a single replica,
 * and two regions with one each still send every periodic task twice.
 */
export const celeryBeatOnePerStack = stackRule({
    name: "kubernetes-celery-beat-one-per-stack",
    description:
        "The whole stack must run at most the configured number of Celery beat schedulers (one per database), across every region and cluster.",
    enforcementLevel: "mandatory",
    category: "reliability",
    guards: [k8s.apps.Deployment.__pulumiType],
    settings: {
        maxSchedulers: setting.integer(1, "Most Celery beat replicas the stack may run in total (one per database it serves).", 1),
    },
    validate: (args, { config, report }) => {
        const schedulers: { urn: string; label: string; replicas: number }[] = [];
        for (const resource of args.resources) {
            if (resource.type !== k8s.apps.Deployment.__pulumiType) continue;
            const workload = asWorkload(resource)!;
            const commandLines = containersOf(workload, { init: false }).map((ref) => commandLineOf(ref.container));
            if (commandLines.some((c) => !isKnown(c))) return;
            if (!commandLines.some((c) => runsCeleryBeat(c as string))) continue;
            const replicas = known(() => resource.props.spec?.replicas ?? 1);
            if (!isKnown(replicas)) return;
            schedulers.push({ urn: resource.urn, label: workload.label, replicas: typeof replicas === "number" ? replicas : 1 });
        }
        const total = schedulers.reduce((n, s) => n + s.replicas, 0);
        if (total > config.maxSchedulers) {
            report(
                `The stack runs ${total} Celery beat schedulers (${schedulers.map((s) => s.label).join(", ")}) for at most ${config.maxSchedulers} database(s); run beat only in the primary region, so each periodic task is sent once.`,
                schedulers[1]?.urn ?? schedulers[0].urn,
            );
        }
    },
});
