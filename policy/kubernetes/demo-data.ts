import { isKnown } from "../lib/unknown";
import { commandLineOf, containersOf, workloadRule } from "./workload";

/** `manage.py populatedb` (Saleor's demo catalogue loader), however it is invoked. */
export function runsPopulatedb(commandLine: string): boolean {
    return /\bpopulatedb\b/.test(commandLine);
}

/**
 * Saleor's `populatedb` loads a demo catalogue, customers and orders, and with `--createsuperuser`
 * a superuser admin@example.com whose password is `admin` (saleor/core/management/commands/
 * populatedb.py, 3.23.5). In a shop with real customers that is a public admin login. The stacks
 * configure it mandatory everywhere but dev, where loading the demo shop is the point.
 */
export const noDemoDataJob = workloadRule({
    name: "kubernetes-no-demo-data-job",
    description:
        "No Job or CronJob may run Saleor's `populatedb`, which loads demo data and a superuser admin@example.com with the password `admin`; demo data belongs in dev only.",
    enforcementLevel: "mandatory",
    category: "security",
    validate: (workload, { report }) => {
        if (workload.kind !== "Job" && workload.kind !== "CronJob") {
            return;
        }
        for (const ref of containersOf(workload)) {
            const commandLine = commandLineOf(ref.container);
            if (isKnown(commandLine) && runsPopulatedb(commandLine)) {
                report(
                    `${workload.label}: ${ref.label} runs \`${commandLine}\`, which loads demo data and a superuser admin@example.com / admin; remove the Job (saleor:features.demoData is for dev only).`,
                );
            }
        }
    },
});
