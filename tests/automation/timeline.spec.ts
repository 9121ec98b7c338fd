import assert from "node:assert/strict";
import { diffPlans } from "../../automation/plan/diff";
import { DURATIONS, DEFAULT_ASSUMPTIONS, durationOf, podReady } from "../../automation/plan/durations";
import { toPlanDocument, type PlanDocument } from "../../automation/plan/json";
import { pathTo, schedule, type TaskNode } from "../../automation/plan/schedule";
import { planGraph, planTasks } from "../../automation/plan/task-graph";
import { buildTimeline, GOALS, type TimelineResult } from "../../automation/plan/timeline";
import { evaluated, planOf, runCli } from "../support/plans";

const t = (id: string, duration: number, ...deps: string[]): TaskNode => ({ id, duration, deps });
const ids = (path: { id: string }[]) => path.map((x) => x.id);
const named = (r: TimelineResult, name: string, type: string) => r.criticalPath.find((e) => e.name === name && e.type === type);

describe("timeline: the scheduler", () => {
    it("a chain takes the sum of its durations", () => {
        const s = schedule([t("a", 1), t("b", 2, "a"), t("c", 3, "b")]);
        assert.equal(s.makespan, 6);
        assert.deepEqual(ids(s.criticalPath), ["a", "b", "c"]);
        assert.deepEqual(
            ["a", "b", "c"].map((x) => s.tasks.get(x)!.start),
            [0, 1, 3],
        );
        assert.deepEqual(s.tasks.get("c")!.waitedFor, { id: "b", kind: "dependency" });
    });

    it("a diamond takes its longer side", () => {
        const s = schedule([t("a", 1), t("b", 5, "a"), t("c", 2, "a"), t("d", 1, "b", "c")]);
        assert.equal(s.makespan, 7);
        assert.deepEqual(ids(s.criticalPath), ["a", "b", "d"]);
        assert.equal(s.tasks.get("c")!.start, 1);
        assert.equal(s.tasks.get("d")!.start, 6);
    });

    it("parallel branches run at once; the longest branch is the critical path", () => {
        const s = schedule([t("x", 3), t("y", 4), t("z", 2, "y"), t("w", 1)]);
        assert.equal(s.makespan, 6);
        assert.deepEqual(ids(s.criticalPath), ["y", "z"]);
        for (const id of ["x", "y", "w"]) assert.equal(s.tasks.get(id)!.start, 0);
    });

    it("bounded parallelism: tasks wait for a free slot, and the critical path says so", () => {
        const s = schedule([t("a", 3), t("b", 3), t("c", 3)], 2);
        assert.equal(s.makespan, 6);
        assert.equal(s.tasks.get("c")!.start, 3);
        assert.equal(s.criticalPath.length, 2);
        assert.equal(s.criticalPath[1].id, "c");
        assert.equal(s.criticalPath[1].waitedFor?.kind, "slot");
        assert.equal(schedule([t("a", 3), t("b", 3), t("c", 3)], 1).makespan, 9);
        assert.equal(schedule([t("a", 3), t("b", 3), t("c", 3)]).makespan, 3);
    });

    it("bounded parallelism: ready tasks start in the order they became ready (list scheduling)", () => {
        // Two slots. A and B start at 0; at 1 B is done and both C (ready since 0) and D (ready at 1)
        // wait: C goes first, D after it.
        const s = schedule([t("A", 4), t("B", 1), t("C", 1), t("D", 1, "B")], 2);
        assert.deepEqual(
            ["A", "B", "C", "D"].map((x) => [s.tasks.get(x)!.start, s.tasks.get(x)!.finish]),
            [
                [0, 4],
                [0, 1],
                [1, 2],
                [2, 3],
            ],
        );
        assert.deepEqual(s.tasks.get("D")!.waitedFor, { id: "C", kind: "slot" });
        assert.equal(s.makespan, 4);
        assert.deepEqual(ids(s.criticalPath), ["A"]);
    });

    it("operations that take no time (components, providers, unchanged resources) never wait for a slot", () => {
        const s = schedule([t("a", 2), t("component", 0), t("child", 2, "component")], 1);
        assert.equal(s.tasks.get("component")!.finish, 0);
        assert.equal(s.tasks.get("child")!.start, 2, "the child still needs the one slot");
        assert.equal(s.makespan, 4);
    });

    it("what the cloud does on its own (ECR replication) runs alongside, holding no slot", () => {
        // push → replication (3) and push → migrate (2) → rollout (4, also waits for replication).
        const tasks = [
            t("push", 3),
            { id: "replicate", duration: 3, deps: ["push"], external: true },
            t("migrate", 2, "push"),
            t("rollout", 4, "migrate", "replicate"),
        ];
        const s = schedule(tasks, 1);
        assert.equal(s.tasks.get("replicate")!.start, 3, "replication starts with the push done, though the one slot is busy");
        assert.equal(s.tasks.get("migrate")!.start, 3);
        assert.equal(s.tasks.get("rollout")!.start, 6, "the rollout waits for the later of the two");
        assert.deepEqual(s.tasks.get("rollout")!.waitedFor, { id: "replicate", kind: "dependency" });
        assert.equal(s.makespan, 10);
        // A slow replication is what the rollout waits for; the migration alone would have been done at 5.
        assert.equal(
            schedule(
                tasks.map((x) => (x.id === "replicate" ? { ...x, duration: 1 } : x)),
                1,
            ).makespan,
            9,
        );
    });

    it("unbounded scheduling is the longest path; a bound never makes it faster", () => {
        let seed = 7;
        const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
        for (let round = 0; round < 20; round++) {
            const nodes: TaskNode[] = [];
            for (let i = 0; i < 40; i++) {
                const deps = nodes.filter(() => rand() < 0.08).map((n) => n.id);
                nodes.push(t(`n${i}`, Math.floor(rand() * 10), ...deps));
            }
            const longest = new Map<string, number>();
            for (const n of nodes) longest.set(n.id, n.duration + Math.max(0, ...n.deps.map((d) => longest.get(d)!)));
            const free = schedule(nodes);
            assert.equal(free.makespan, Math.max(...longest.values()));
            assert.equal(
                free.criticalPath.reduce((sum, x) => sum + x.duration, 0),
                free.makespan,
                "the path adds up",
            );
            assert.equal(schedule(nodes, nodes.length).makespan, free.makespan);
            for (const p of [1, 2, 4]) assert.ok(schedule(nodes, p).makespan >= free.makespan);
            assert.equal(
                schedule(nodes, 1).makespan,
                nodes.reduce((sum, n) => sum + n.duration, 0),
            );
        }
    });

    it("rejects cycles and unknown dependencies", () => {
        assert.throws(() => schedule([t("a", 1, "b"), t("b", 1, "a")]), /dependency cycle among: a, b/);
        assert.throws(() => schedule([t("a", 1, "ghost")]), /depends on unknown task ghost/);
        assert.throws(() => schedule([t("a", 1)], 0), /parallel must be at least 1/);
    });
});

describe("timeline: durations", () => {
    it("has a duration with a source for every resource type the stacks use", async () => {
        for (const stack of ["dev", "staging", "production"]) {
            for (const s of (await planOf(stack)).steps) {
                const st = s.newState!;
                if (!st.custom || st.type.startsWith("pulumi:providers:")) continue;
                assert.ok(DURATIONS[st.type], `${st.type} (${stack}) needs an entry in automation/plan/durations.ts`);
            }
        }
        for (const [type, rule] of Object.entries(DURATIONS)) {
            assert.ok(rule.source.length >= 10, type);
            for (const d of [rule.create, rule.update, rule.delete].filter(Boolean)) assert.ok(d!.high >= d!.typical, type);
        }
    });

    it("models pod readiness from the probes: the startup probe bounds a slow start", () => {
        const i = {
            spec: {
                template: {
                    spec: {
                        containers: [
                            {
                                startupProbe: { periodSeconds: 5, failureThreshold: 36 },
                                readinessProbe: { periodSeconds: 5, failureThreshold: 3 },
                            },
                        ],
                    },
                },
            },
        };
        const a = DEFAULT_ASSUMPTIONS;
        const r = podReady(i, a);
        assert.equal(r.typical, a.imagePull.typical + a.processStart.typical + 2.5 + 2.5);
        assert.equal(r.high, a.imagePull.high + a.processStart.high + 5 * 36 + 2.5);
    });
});

describe("timeline: the stacks", () => {
    let production: PlanDocument;
    let first: TimelineResult;
    before(async () => {
        production = await planOf("production");
        first = buildTimeline(production);
    });

    it("production, first deployment: the primary migrates while its reader is created; the cross-Region replica, after its source, is critical", () => {
        assert.equal(first.mode, "first-deployment");
        // The migration needs the writer and the cache only, so it runs while the in-region reader is
        // created; the API and the one storefront build follow the reader. The path is then the
        // writer and eu-west-1's standby (about 25 minutes after it), which its Core waits for.
        const names = first.criticalPath.map((e) => e.name);
        assert.ok(names.includes("eu-central-1-data-postgres-writer"), names.join(" → "));
        assert.ok(names.includes("eu-west-1-data-postgres-standby"), names.join(" → "));
        const s0 = schedule(planTasks(production));
        const at = (name: string, type: string) => s0.tasks.get(planTasks(production).find((x) => x.id.endsWith(`${type}::${name}`))!.id)!;
        const reader = at("eu-central-1-data-postgres-reader", "aws:rds/instance:Instance");
        const migrate = at("eu-central-1-core-migrate", "kubernetes:batch/v1:Job");
        assert.ok(migrate.start < reader.finish, "the migration does not wait for the reader");
        assert.ok(
            at("eu-central-1-storefront-image", "docker:index/image:Image").start >= migrate.finish,
            "the build follows the migration",
        );
        const writerNode = planGraph(production, {}).nodes.find((x) =>
            x.id.endsWith("aws:rds/instance:Instance::eu-central-1-data-postgres-writer"),
        )!;
        assert.equal(writerNode.typical.basis, "RDS Multi-AZ create");
        const standbyNode = planGraph(production, {}).nodes.find((x) =>
            x.id.endsWith("aws:rds/instance:Instance::eu-west-1-data-postgres-standby"),
        )!;
        assert.equal(standbyNode.typical.basis, "RDS cross-Region read replica create");
        const s = schedule(planTasks(production));
        assert.ok(s.tasks.get(standbyNode.id)!.start >= s.tasks.get(writerNode.id)!.finish, "the replica waits for its source");
        assert.equal(first.totalSeconds, first.overheadSeconds + first.graphSeconds);
        assert.ok(first.pessimisticSeconds > first.totalSeconds);
        assert.equal(first.parallel, 8);
    });

    it("production: the Kubernetes provider waits for the EKS cluster, its node group and add-ons", () => {
        const tasks = planTasks(production);
        const s = schedule(tasks);
        const provider = tasks.find((x) => x.id.endsWith("pulumi:providers:kubernetes::eu-central-1-k8s"))!;
        const path = pathTo(s.tasks, provider.id).map((x) => x.id.split("::")[2].split("$").pop());
        for (const type of ["aws:ec2/vpc:Vpc", "aws:eks/cluster:Cluster", "aws:eks/nodeGroup:NodeGroup", "aws:eks/addon:Addon"]) {
            assert.ok(path.includes(type), `${type} on the way to the provider: ${path.join(" → ")}`);
        }
        const eks = s.tasks.get(tasks.find((x) => x.id.endsWith("aws:eks/cluster:Cluster::eu-central-1-eks"))!.id)!;
        assert.equal(eks.duration, DURATIONS["aws:eks/cluster:Cluster"].create.typical);
        // Every Kubernetes object starts after its cluster's provider.
        const deployment = s.tasks.get(tasks.find((x) => x.id.endsWith("Rollout::eu-central-1-core-api"))!.id)!;
        assert.ok(deployment.start >= s.tasks.get(provider.id)!.finish);
    });

    it("production: reports the 30-minute goal honestly, with the chain that prevents it", () => {
        const [goal] = first.goals;
        assert.equal(goal.scope, "stack");
        assert.equal(goal.limitSeconds, GOALS.fullDeploymentSeconds);
        assert.equal(goal.met, goal.modelSeconds <= 30 * 60);
        if (!goal.met) {
            const names = goal.blockingChain.map((x) => x.name);
            // The primary's writer and the cross-Region standby made from it hold the first deployment.
            assert.ok(names.includes("eu-central-1-data-postgres-writer"), names.join(" → "));
            assert.ok(names.includes("eu-west-1-data-postgres-standby"), names.join(" → "));
            assert.ok(goal.blockingChain.every((x) => x.duration > 0));
        }
    });

    it("unbounded parallelism is never slower than the default bound", () => {
        const free = buildTimeline(production, { parallel: Infinity });
        assert.equal(free.parallel, "unbounded");
        assert.ok(free.graphSeconds <= first.graphSeconds);
    });

    it("staging: the single-AZ writer and the cross-Region replica; dev: the migration and the storefront build", async () => {
        const stagingPlan = await planOf("staging");
        const node = (name: string) => planGraph(stagingPlan, {}).nodes.find((x) => x.id.endsWith(`aws:rds/instance:Instance::${name}`))!;
        assert.equal(node("eu-central-1-data-postgres-writer").typical.basis, "RDS single-AZ create");
        assert.equal(node("eu-west-1-data-postgres-standby").typical.basis, "RDS cross-Region read replica create");
        // The path runs through the primary's migration and the stack's one storefront build.
        const staging = buildTimeline(stagingPlan);
        assert.ok(
            named(staging, "eu-central-1-core-migrate", "kubernetes:batch/v1:Job"),
            staging.criticalPath.map((e) => e.name).join(" → "),
        );
        assert.ok(named(staging, "eu-central-1-storefront-image", "docker:index/image:Image"));

        const dev = buildTimeline(await planOf("dev"));
        const types = dev.criticalPath.map((e) => e.type);
        assert.ok(types.includes("kubernetes:batch/v1:Job"), types.join());
        assert.ok(types.includes("docker:index/image:Image"), types.join());
        assert.equal(dev.goals[0].goal, "full deployment < 30 min (the CI/CD Pipeline document)", "dev has one region");
    });

    it("production, image-only release: only the changes take time; build and snapshot → migration → rollouts", async () => {
        const r = { evaluation: await evaluated("production", { "saleor:release": "3.23.6" }) };
        assert.ok("evaluation" in r);
        const { changes } = diffPlans(production, toPlanDocument(r.evaluation), "base");
        const release = buildTimeline(toPlanDocument(r.evaluation), { changes, against: "base" });
        assert.equal(release.mode, "release");
        const path = release.criticalPath.filter((e) => e.duration > 0);
        // The writer's snapshot for the release (longer than the image build) comes first; the migration waits for it.
        assert.equal(path[0].name, "eu-central-1-data-release-snapshot-3.23.6");
        assert.equal(path[0].op, "create");
        assert.ok(path.some((e) => e.name === "eu-central-1-core-migrate" && e.op === "replace" && e.start === path[0].finish));
        // The release's AWS changes, and those on the path: the snapshot only (the deletes after the
        // rollouts, the old snapshot's among them, take a few seconds each, so which of them closes
        // the path depends on how many Jobs a release replaces).
        assert.deepEqual(
            [
                ...new Set(
                    [...changes.values()].filter((c) => c.type.startsWith("aws:") && c.op !== "same").map((c) => `${c.type} ${c.op}`),
                ),
            ].sort(),
            ["aws:rds/snapshot:Snapshot create", "aws:rds/snapshot:Snapshot delete"],
            "on AWS, only the release's snapshot is taken and the one before the previous release removed",
        );
        assert.ok(
            path.filter((e) => e.type.startsWith("aws:")).every((e) => e.type === "aws:rds/snapshot:Snapshot"),
            path.map((e) => e.name).join(" → "),
        );
        // The release replaces the database-role, migration and collectstatic Jobs and each canary's gate
        // Job, updates the Deployments and Rollouts, takes a snapshot.
        // (three canaries a region: the API, the storefront and the Dashboard).
        assert.ok(release.operations < 28, `${release.operations} operations`);
        assert.deepEqual(
            release.goals.map((g) => g.scope),
            ["stack", "eu-central-1", "eu-west-1"],
        );
        for (const g of release.goals.slice(1)) {
            assert.equal(g.limitSeconds, GOALS.regionReleaseSeconds);
            // "< 10 min" in the CI/CD Pipeline document: strictly less.
            assert.equal(g.met, g.modelSeconds < 600);
            assert.equal(g.modelSeconds, release.overheadSeconds + release.regions[g.scope].finish);
        }
        // The secondary pulls the image from its own region's registry: ECR replicates the push
        // there while the primary migrates, and the secondary's rollout waits for both.
        const replication = release.regions["eu-west-1"].components.find((c) => c.type === "(ECR replication)")!;
        assert.ok(replication, "eu-west-1 waits for ECR replication");
        const migrate = release.criticalPath.find((e) => e.name === "eu-central-1-core-migrate" && e.op === "replace")!;
        assert.ok(replication.start > 0, "replication starts once the image is built");
        assert.equal(replication.finish - replication.start, DEFAULT_ASSUMPTIONS.ecrReplication.typical);
        assert.ok(replication.finish <= migrate.finish, "replication is done before the migration is");
        // The secondary's API canary (steps and pauses) starts once the primary migrated; the region ends
        // with the last poll of a canary's gate Job.
        const westPath = release.regions["eu-west-1"].criticalPath;
        assert.match(westPath.at(-1)!.name, /^eu-west-1-(core-api|storefront)-gate$/);
        // Its Core (the API's canary: two 2-minute pauses) ends at least the pauses after the migration.
        const westCore = release.regions["eu-west-1"].components.find((c) => c.name === "eu-west-1-core")!;
        assert.ok(westCore.finish >= migrate.finish + 240, `${westCore.finish} vs ${migrate.finish}`);
        const eastApi = release.criticalPath.find((e) => e.name === "eu-central-1-core-api")!;
        assert.match(eastApi.basis, /canary 10% → 50% → 100%/);
        assert.ok(
            !release.regions["eu-central-1"].components.some((c) => c.type === "(ECR replication)"),
            "the primary pulls from its own registry",
        );
        // The secondary's rollout waits for the primary's migration.
        assert.ok(release.regions["eu-west-1"].criticalPath.some((e) => e.name === "eu-central-1-core-migrate"));

        const slower = buildTimeline(toPlanDocument(r.evaluation), { changes, against: "base", migrationSeconds: 600 });
        assert.equal(slower.graphSeconds - release.graphSeconds, 600 - DEFAULT_ASSUMPTIONS.migrationReleaseSeconds);
    });
});

describe("timeline: what a release does before it migrates", () => {
    it("production, image-only release: the writer's snapshot, then the stop of the worker and beat, then migrate", async () => {
        const base = await planOf("production");
        const next = toPlanDocument(await evaluated("production", { "saleor:release": "3.23.6" }));
        const { changes } = diffPlans(base, next, "base");
        const release = buildTimeline(next, { changes, against: "base" });
        const snapshot = release.criticalPath.find((e) => e.type === "aws:rds/snapshot:Snapshot" && e.op === "create")!;
        assert.ok(snapshot, "the snapshot is on the release path");
        assert.equal(snapshot.duration, DURATIONS["aws:rds/snapshot:Snapshot"].create.typical);
        const migrate = release.criticalPath.find((e) => e.name === "eu-central-1-core-migrate" && e.op === "replace")!;
        assert.equal(migrate.start, snapshot.finish);
        assert.match(migrate.basis, /stop worker and beat/);
        const a = DEFAULT_ASSUMPTIONS;
        // The init container (the Core image, already pulled) starts, scales both to 0 and waits; then migrate's container.
        assert.equal(
            migrate.duration,
            a.imagePull.typical + a.processStart.typical + (a.processStart.typical + 10) + a.migrationReleaseSeconds,
        );
        // Core's processes (the API's canary, last on the path) start on the new image only after the migration.
        const api = release.criticalPath.find((e) => /-core-api$/.test(e.name))!;
        assert.ok(api, release.criticalPath.map((e) => e.name).join(" → "));
        assert.equal(api.start, migrate.finish);
    });
});

describe("timeline: the CLI", () => {
    it("--timeline prints the critical path, a Gantt per region within 100 columns, and the goals", async () => {
        const run = await runCli(["--stack", "production", "--timeline", "--no-policy"]);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /^Deployment timeline for stack "production": first deployment/);
        assert.match(run.stdout, /Critical path \(times from the first resource operation\):/);
        assert.match(run.stdout, /^eu-central-1: /m);
        assert.match(run.stdout, /^eu-west-1: /m);
        // Lines wrap at word boundaries.
        assert.match(
            run.stdout.replace(/\n\s+/g, " "),
            /full multi-region deployment < 30 min \(the CI\/CD Pipeline document\): .*: (met|NOT MET)/,
        );
        for (const line of run.stdout.split("\n")) assert.ok([...line].length <= 100, `${[...line].length}: ${line}`);
    });

    it("--timeline --json: the timeline document", async () => {
        const run = await runCli(["--stack", "staging", "--timeline", "--json", "--no-policy", "--parallel", "0"]);
        assert.equal(run.code, 0, run.stderr);
        const doc = JSON.parse(run.stdout);
        for (const key of [
            "stack",
            "mode",
            "parallel",
            "overheadSeconds",
            "graphSeconds",
            "totalSeconds",
            "pessimisticSeconds",
            "criticalPath",
            "regions",
            "goals",
            "assumptions",
            "policyViolations",
        ]) {
            assert.ok(key in doc, key);
        }
        assert.equal(doc.parallel, "unbounded");
        const e = doc.criticalPath[0];
        for (const key of ["urn", "name", "type", "region", "op", "start", "duration", "finish", "basis", "source", "estimate"])
            assert.ok(key in e, key);
        assert.ok(doc.regions["eu-central-1"].components.length > 0);
    });

    it("--timeline --diff-against prints the diff, then the release timeline", async () => {
        const fs = await import("fs");
        const os = await import("os");
        const path = await import("path");
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "timeline-")), "base.json");
        fs.writeFileSync(file, JSON.stringify(await planOf("production")));
        const run = await runCli(["--stack", "production", "--timeline", "--diff-against", file, "--no-policy", "--json"]);
        assert.equal(run.code, 0, run.stderr);
        const doc = JSON.parse(run.stdout);
        assert.equal(doc.mode, "release");
        assert.equal(doc.graphSeconds, 0, "nothing changed, nothing to deploy");
        assert.deepEqual(doc.diff.regions, {});
    });

    it("rejects bad numbers and flags without --timeline (exit 2)", async () => {
        for (const args of [
            ["--timeline", "--parallel", "many"],
            ["--parallel", "4"],
            ["--timeline", "--migration-seconds", "-1"],
        ]) {
            const run = await runCli(["--stack", "production", ...args]);
            assert.equal(run.code, 2, args.join(" "));
        }
    });
});

describe("timeline columns", () => {
    it("cut a long name or basis at a word boundary, never mid-word where a boundary is near", async () => {
        const { clip } = await import("../../automation/plan/timeline-render");
        assert.equal(clip("eu-west-1-edge-certificate-validation-be.example.com", 34).trimEnd(), "eu-west-1-edge-certificate-…");
        assert.equal(clip("Instance: RDS cross-Region read replica create", 30).trimEnd(), "Instance: RDS cross-Region…");
        assert.equal(clip("short", 10), "short     ");
        assert.equal(clip("abcdefghijklmnopqrstuvwxyz", 10).trimEnd(), "abcdefghi…", "no boundary: cut where the column ends");
    });
});

describe("timeline: --migration-seconds", () => {
    const ctx = (migrationSeconds?: number) => ({
        assumptions: DEFAULT_ASSUMPTIONS,
        regionOfProvider: () => undefined,
        hpaMinReplicas: () => undefined,
        firstDeployment: false,
        migrationSeconds,
    });
    const jobRunning = (command: string[]) =>
        ({
            type: "kubernetes:batch/v1:Job",
            urn: "urn:pulumi:s::p::kubernetes:batch/v1:Job::j",
            custom: true,
            inputs: { spec: { template: { spec: { containers: [{ name: "c", command }] } } } },
        }) as any;

    it("sets the migration Job's run time and leaves the other Jobs' (collectstatic, the database role) alone", () => {
        const migrate = jobRunning(["python3", "manage.py", "migrate", "--noinput"]);
        const collect = jobRunning(["python3", "manage.py", "collectstatic", "--noinput"]);
        assert.equal(durationOf(migrate, "create", ctx(600)).typical - durationOf(migrate, "create", ctx()).typical, 600 - 60);
        assert.equal(durationOf(collect, "create", ctx(600)).typical, durationOf(collect, "create", ctx()).typical);
    });
});
