import { strict as assert } from "node:assert";
import { parseDeployArgs, USAGE } from "../../../automation/deploy/args";
import { STAGES } from "../../../automation/deploy/failover";
import { FakeFailoverStack, urnGlobMatches } from "../../../automation/deploy/fakes/failover-stack";
import { setup } from "./failover-harness";
import { PRIMARY, SECONDARY } from "./harness";

// `npm run deploy -- --failover --to <region>` end to end against the in-memory stack: the
// stages in order, what each asks of Pulumi, a crash between two stages and its resume, failing
// back, the staging drill and the refusals.

const RDS = "aws:rds/instance:Instance";
const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

const ups = (stack: FakeFailoverStack) => stack.calls.flatMap((c) => (c.kind === "up" ? [c] : []));
const instance = (stack: FakeFailoverStack, name: string) => stack.state.get(name);

function assertFailedOverTo(stack: FakeFailoverStack, to: string, from: string): void {
    assert.deepEqual(
        stack.regions.map((r) => [r.name, r.role]),
        [
            [PRIMARY, to === PRIMARY ? "primary" : "secondary"],
            [SECONDARY, to === SECONDARY ? "primary" : "secondary"],
        ],
        "the stack file's roles are swapped, the list's order kept",
    );
    assert.equal(instance(stack, `${to}-data-postgres-writer`)?.outputs.replicateSourceDb, undefined, "the standby was promoted");
    assert.equal(instance(stack, `${to}-data-postgres-standby`), undefined);
    assert.match(String(instance(stack, `${from}-data-postgres-standby`)?.outputs.replicateSourceDb), new RegExp(`^arn:aws:rds:${to}:`));
    assert.equal(instance(stack, `${from}-data-postgres-writer`), undefined);
    assert.equal(instance(stack, `${from}-data-postgres-reader`), undefined);
    for (const process of ["beat", "migrate"]) {
        assert.ok(stack.state.has(`${to}-core-${process}`), `${process} runs in ${to}`);
        assert.ok(!stack.state.has(`${from}-core-${process}`), `${process} no longer runs in ${from}`);
    }
}

describe("deploy --failover: a regional failover in resumable stages", () => {
    it("the runbook's single update after the role swap is refused: the leaving instances are protected", async () => {
        // Why the failover needs a stage of its own for protection: what the fake's engine and RDS say.
        const { stack } = setup("production");
        await stack.setRegionRoles({ [PRIMARY]: "secondary", [SECONDARY]: "primary" });
        await assert.rejects(stack.up({ onEvent: () => undefined, withPolicies: false }), /marked for protection/);
        for (const r of await stack.resources()) await stack.unprotect(r.urn);
        await assert.rejects(
            stack.up({ onEvent: () => undefined, withPolicies: false }),
            /Cannot delete protected DB Instance, please disable deletion protection/,
        );
    });

    it("fails production over to eu-west-1 in the stages' order and leaves the database, migrations and beat there", async () => {
        const { stack, go, saved } = setup("production");
        const summary = await go({ to: SECONDARY });
        assert.equal(summary.exitCode, 0, summary.message);
        assert.deepEqual(
            summary.legs[0].stages.map((s) => s.stage),
            [...STAGES],
        );
        assertFailedOverTo(stack, SECONDARY, PRIMARY);
        assert.equal((await stack.outputs()).primaryRegion, SECONDARY);
        assert.ok(saved.at(-1)?.finishedAt, "the state file records the failover as finished");
    });

    it("turns RDS deletion protection off on exactly the leaving reader, unprotects only the leaving instances, and puts the setting back", async () => {
        const { stack, go } = setup("production");
        await go({ to: SECONDARY });
        const unprotected = stack.calls.flatMap((c) => (c.kind === "unprotect" ? [nameOf(c.urn)] : []));
        assert.deepEqual(unprotected.sort(), [`${PRIMARY}-data-postgres-reader`, `${PRIMARY}-data-postgres-writer`]);
        const configCalls = stack.calls.flatMap((c) => (c.kind === "setConfigPath" ? [[c.path, c.value]] : []));
        assert.deepEqual(configCalls, [
            ["data.aws.postgres.deletionProtection", false],
            ["data.aws.postgres.deletionProtection", undefined],
        ]);
        const release = ups(stack)[0];
        assert.deepEqual(release.target?.map(nameOf), [`${PRIMARY}-data-postgres-reader`], "one targeted update of the reader alone");
        // Every other instance keeps its protection, in AWS and in Pulumi.
        for (const r of await stack.resources()) {
            if (r.type !== RDS) continue;
            assert.equal(r.outputs.deletionProtection, true, `${nameOf(r.urn)} keeps RDS deletion protection`);
            assert.equal(r.protect, true, `${nameOf(r.urn)} stays protected in Pulumi`);
        }
    });

    it("promotes the standby with an update of that instance alone, before anything else of the target region moves", async () => {
        const { stack, go } = setup("production");
        await go({ to: SECONDARY });
        const [, promote, targetRegion, otherRegion, stopBeat, whole] = ups(stack);
        const setRoles = stack.calls.findIndex((c) => c.kind === "setRegionRoles");
        assert.ok(setRoles < stack.calls.indexOf(promote), "the roles are swapped in config before the promotion");
        assert.deepEqual(promote.target, [`urn:pulumi:production::saleor::**::${SECONDARY}-data-postgres-writer`]);
        const writerUrn = instance(stack, `${SECONDARY}-data-postgres-writer`)!.urn;
        assert.ok(urnGlobMatches(promote.target![0], writerUrn));
        assert.ok(!urnGlobMatches(promote.target![0], writerUrn.replace("writer", "reader")));
        assert.ok(targetRegion.target!.every((g) => g.includes(`::${SECONDARY}-`)));
        assert.ok(otherRegion.target!.every((g) => g.includes(`::${PRIMARY}-`)));
        assert.deepEqual(
            stopBeat.target,
            [`urn:pulumi:production::saleor::**::${PRIMARY}-core-beat`],
            "the old beat stops before the new one starts",
        );
        assert.deepEqual([whole.target, whole.exclude], [undefined, undefined], "the last update is of the whole stack");
    });

    it("resumes at the next stage after a crash between two stages, and refuses a new failover meanwhile", async () => {
        const run = setup("production", {}, "target-region");
        const crashed = await run.go({ to: SECONDARY });
        assert.notEqual(crashed.exitCode, 0);
        assert.deepEqual(
            run.saved.at(-1)!.completed.map((c) => c.stage),
            ["preflight", "release-old", "promote", "target-region"],
        );
        const upsBefore = ups(run.stack).length;

        const again = await run.go({ to: SECONDARY });
        assert.equal(again.exitCode, 2);
        assert.match(again.message, /stopped after target-region; finish it with --failover --resume/);

        const resumed = await run.go({ resume: true });
        assert.equal(resumed.exitCode, 0, resumed.message);
        assert.deepEqual(
            resumed.legs[0].stages.map((s) => s.stage),
            ["other-region", "migrations-beat"],
        );
        assert.ok(
            ups(run.stack)[upsBefore].target!.every((g) => g.includes(`::${PRIMARY}-`)),
            "the first update after the resume is other-region",
        );
        assertFailedOverTo(run.stack, SECONDARY, PRIMARY);
    });

    it("puts the stack's deletion protection setting back after a run killed while it was lowered", async () => {
        let kill = true;
        const run = setup("production", { hangUp: (n) => n === 0 && kill });
        void run.go({ to: SECONDARY }); // killed during the update of release-old: it never returns
        await new Promise((resolve) => setImmediate(resolve));
        assert.equal(run.stack.deletionProtection, false, "the run died with the setting lowered");
        kill = false;
        const resumed = await run.go({ resume: true });
        assert.equal(resumed.exitCode, 0, resumed.message);
        assert.equal(run.stack.deletionProtection, undefined, "the stack file is back to leaving it unset (production's default: on)");
        assertFailedOverTo(run.stack, SECONDARY, PRIMARY);
    });

    it("stops at a failed stage with exit 1 and the command to resume; the resume retries that stage", async () => {
        let failed = false;
        const run = setup("staging", {
            failUp: (_n, { target }) => {
                if (!failed && target?.some((g) => g.includes(`::${PRIMARY}-*`))) {
                    failed = true;
                    return "creating RDS DB Instance (read replica): InvalidParameterValue: the source is busy";
                }
                return undefined;
            },
        });
        const first = await run.go({ to: SECONDARY });
        assert.equal(first.exitCode, 1);
        assert.match(first.message, /other-region: the update failed: .*source is busy.*--failover --resume/);
        assert.equal(run.saved.at(-1)!.completed.at(-1)!.stage, "target-region");
        const resumed = await run.go({ resume: true });
        assert.equal(resumed.exitCode, 0, resumed.message);
        assert.deepEqual(
            resumed.legs[0].stages.map((s) => s.stage),
            ["other-region", "migrations-beat"],
        );
        assertFailedOverTo(run.stack, SECONDARY, PRIMARY);
    });

    it("fails back with the same command naming the old primary", async () => {
        const run = setup("production");
        assert.equal((await run.go({ to: SECONDARY })).exitCode, 0);
        const back = await run.go({ to: PRIMARY });
        assert.equal(back.exitCode, 0, back.message);
        assertFailedOverTo(run.stack, PRIMARY, SECONDARY);
        assert.equal((await run.stack.outputs()).primaryRegion, PRIMARY);
    });

    it("drills on staging: over and back, with the measured time of every stage", async () => {
        const run = setup("staging");
        const summary = await run.go({ to: SECONDARY, drill: true });
        assert.equal(summary.exitCode, 0, summary.message);
        assert.deepEqual(
            summary.legs.map((l) => [l.from, l.to]),
            [
                [PRIMARY, SECONDARY],
                [SECONDARY, PRIMARY],
            ],
        );
        for (const leg of summary.legs) {
            const times = Object.fromEntries(leg.stages.map((s) => [s.stage, s.durationMs]));
            // Staging has no reader and no deletion protection: release-old updates nothing.
            assert.deepEqual(times, {
                preflight: 0,
                "release-old": 0,
                promote: 60_000,
                "target-region": 60_000,
                "other-region": 60_000,
                "migrations-beat": 120_000,
            });
        }
        assert.match(
            summary.message,
            /eu-central-1 → eu-west-1: preflight 0 ms, release-old 0 ms, promote 60 s, .*migrations-beat 2 min 0 s/,
        );
        assertFailedOverTo(run.stack, PRIMARY, SECONDARY);
    });

    describe("refusals, before any change", () => {
        const nothingChanged = (stack: FakeFailoverStack) =>
            assert.deepEqual(
                stack.calls.filter((c) => c.kind !== "preview"),
                [],
            );

        it("an unknown region is a usage error (exit 2)", async () => {
            const run = setup("staging");
            const s = await run.go({ to: "us-west-2" });
            assert.equal(s.exitCode, 2);
            assert.match(s.message, /--to us-west-2 is not a region of stack staging \(regions: eu-central-1, eu-west-1\)/);
            nothingChanged(run.stack);
        });

        it("a target that is already primary is a usage error (exit 2)", async () => {
            const run = setup("staging");
            const s = await run.go({ to: PRIMARY });
            assert.equal(s.exitCode, 2);
            assert.match(s.message, /already the primary region/);
            nothingChanged(run.stack);
        });

        it("a locked stack stops the preflight (exit 4)", async () => {
            const run = setup("staging", { locked: true });
            const s = await run.go({ to: SECONDARY });
            assert.equal(s.exitCode, 4);
            assert.match(s.message, /lock/);
            nothingChanged(run.stack);
        });

        it("pending operations of an interrupted update stop the preflight (exit 4)", async () => {
            const run = setup("staging", {
                pending: [{ type: "updating", urn: "urn:pulumi:staging::saleor::x::eu-west-1-core-api", resourceType: "x" }],
            });
            const s = await run.go({ to: SECONDARY });
            assert.equal(s.exitCode, 4);
            assert.match(s.message, /pending operation/);
            nothingChanged(run.stack);
        });

        it("production goes ahead only with --yes or a confirmation (exit 3)", async () => {
            const run = setup("production");
            const s = await run.go({ to: SECONDARY, yes: false });
            assert.equal(s.exitCode, 3);
            nothingChanged(run.stack);
        });

        it("--resume with nothing to resume is a usage error (exit 2)", async () => {
            const s = await setup("staging").go({ resume: true });
            assert.equal(s.exitCode, 2);
        });

        it("the command line: a production drill, --to without --failover, --failover without --to, a bad region name", () => {
            const problems = (argv: string[]) => {
                const p = parseDeployArgs(argv);
                return p.kind === "problems" ? p.problems.join("; ") : "";
            };
            assert.match(problems(["--stack", "production", "--failover", "--to", SECONDARY, "--drill"]), /staging only/);
            assert.match(problems(["--stack", "staging", "--to", SECONDARY]), /go with --failover/);
            assert.match(problems(["--stack", "staging", "--failover"]), /needs --to/);
            assert.match(problems(["--stack", "staging", "--failover", "--to", "EU WEST"]), /--to must be a region name/);
            assert.match(problems(["--stack", "staging", "--failover", "--to", SECONDARY, "--release", "3.23.5"]), /takes --stack, --to/);
            assert.deepEqual(parseDeployArgs(["--stack", "staging", "--failover", "--to", SECONDARY, "--drill"]), {
                kind: "failover",
                options: { stack: "staging", to: SECONDARY, resume: false, drill: true, yes: false },
            });
        });

        it("--help documents the failover's exit codes", () => {
            assert.match(USAGE, /--failover/);
            assert.match(USAGE, /Failover exit codes: 0 done, 1 a stage failed \(fix it, then --resume\), 2 invalid arguments/);
        });
    });
});
