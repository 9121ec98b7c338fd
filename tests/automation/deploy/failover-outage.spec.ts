import { strict as assert } from "node:assert";
import { parseDeployArgs } from "../../../automation/deploy/args";
import { probeAwsRegion, type ProbeFetch } from "../../../automation/deploy/failover-probe";
import { renderFailoverMarkdown } from "../../../automation/deploy/summary";
import type { FakeFailoverStack } from "../../../automation/deploy/fakes/failover-stack";
import { setup } from "./failover-harness";
import { PRIMARY, SECONDARY } from "./harness";

// `--failover --primary-down`: the primary region does not answer (its stack operations fail with a
// network error in the fake). The failover goes on without it, says what it skipped, and leaves a
// `reconcile` stage that `--resume` runs once the region answers again.

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);
const ups = (stack: FakeFailoverStack) => stack.calls.flatMap((c) => (c.kind === "up" ? [c] : []));

function assertServedFrom(stack: FakeFailoverStack, to: string): void {
    assert.equal((stack.state.get(`${to}-data-postgres-writer`)?.outputs ?? {}).replicateSourceDb, undefined, "the standby was promoted");
    assert.ok(stack.state.has(`${to}-core-beat`) && stack.state.has(`${to}-core-migrate`), "beat and migrations run in the target");
}

describe("deploy --failover --primary-down: a failover while the primary region does not answer", () => {
    it("the command without it fails against an unreachable primary, changes nothing and names --primary-down", async () => {
        const run = setup("production");
        run.stack.down.add(PRIMARY);
        const s = await run.go({ to: SECONDARY });
        assert.notEqual(s.exitCode, 0);
        assert.match(s.message, /dial tcp/);
        assert.match(s.message, /--failover --resume --primary-down/);
        assert.deepEqual(ups(run.stack), []);
    });

    it("fails over without the primary, records every skipped stage and leaves the reconcile to --resume", async () => {
        const run = setup("production");
        run.stack.down.add(PRIMARY);
        const s = await run.go({ to: SECONDARY, primaryDown: true });
        assert.equal(s.exitCode, 0, s.message);
        assert.deepEqual(
            s.legs[0].stages.map((st) => [st.stage, st.result]),
            [
                ["preflight", "done"],
                ["release-old", "skipped"],
                ["promote", "done"],
                ["target-region", "done"],
                ["other-region", "skipped"],
                ["migrations-beat", "done"],
            ],
        );
        for (const st of s.legs[0].stages.filter((x) => x.result === "skipped")) {
            assert.match(st.note ?? "", /eu-central-1 did not answer.*reconcile/, `${st.stage} says why and what is left`);
        }
        assertServedFrom(run.stack, SECONDARY);
        assert.equal((await run.stack.outputs()).primaryRegion, SECONDARY);
        for (const up of ups(run.stack)) {
            assert.ok(!(up.target ?? []).some((g) => g.includes(`::${PRIMARY}-`)), "no update targets the primary's resources");
        }
        assert.deepEqual(ups(run.stack).at(-1)?.exclude, [`urn:pulumi:production::saleor::**::${PRIMARY}-*`]);
        assert.equal(run.saved.at(-1)?.finishedAt, undefined, "the failover is not finished until the reconcile ran");
        assert.ok(s.followUp?.some((f) => /--failover --resume/.test(f) && /eu-central-1/.test(f)));
        assert.ok(s.followUp?.some((f) => /old writer/.test(f)));
        assert.match(s.message, /reconcile/);
        const md = renderFailoverMarkdown(s);
        assert.match(md, /\| release-old \| skipped \|/);
        assert.match(md, /### Still to do/);
    });

    it("refuses --primary-down when the preflight reaches the primary (exit 3, nothing changed), unless --force", async () => {
        const run = setup("staging");
        const refused = await run.go({ to: SECONDARY, primaryDown: true });
        assert.equal(refused.exitCode, 3);
        assert.match(refused.message, /eu-central-1 answers/);
        assert.match(refused.message, /--force/);
        assert.deepEqual(run.stack.calls, []);
        assert.equal(run.saved.length, 0, "no failover is recorded");

        const forced = await run.go({ to: SECONDARY, primaryDown: true, force: true });
        assert.equal(forced.exitCode, 0, forced.message);
        assert.deepEqual(
            forced.legs[0].stages.filter((st) => st.result === "skipped").map((st) => st.stage),
            ["release-old", "other-region"],
        );
    });

    it("refuses a new failover before the reconcile, and a --resume while the region is still down changes nothing (exit 4)", async () => {
        const run = setup("production");
        run.stack.down.add(PRIMARY);
        await run.go({ to: SECONDARY, primaryDown: true });
        const calls = run.stack.calls.length;
        const again = await run.go({ to: PRIMARY });
        assert.equal(again.exitCode, 2);
        assert.match(again.message, /finish it with --failover --resume/);
        const early = await run.go({ resume: true });
        assert.equal(early.exitCode, 4);
        assert.match(early.message, /eu-central-1 still does not answer/);
        assert.equal(run.stack.calls.length, calls, "nothing was asked of the stack");
    });

    it("reconciles once the region answers: the old instances are forgotten (kept in AWS), its beat stops, it gets a standby", async () => {
        const run = setup("production");
        run.stack.down.add(PRIMARY);
        await run.go({ to: SECONDARY, primaryDown: true });
        const upsBefore = ups(run.stack).length;
        run.stack.down.delete(PRIMARY);
        const s = await run.go({ resume: true });
        assert.equal(s.exitCode, 0, s.message);
        assert.deepEqual(
            s.legs[0].stages.map((st) => [st.stage, st.result]),
            [["reconcile", "done"]],
        );
        const forgotten = run.stack.calls.flatMap((c) => (c.kind === "forget" ? [nameOf(c.urn)] : []));
        assert.deepEqual(forgotten.sort(), [`${PRIMARY}-data-postgres-reader`, `${PRIMARY}-data-postgres-writer`]);
        assert.deepEqual(
            run.stack.deleted.filter((n) => n.includes("postgres")),
            [],
            "no database is deleted by the engine",
        );
        const [stopBeat] = ups(run.stack).slice(upsBefore);
        assert.deepEqual(stopBeat.target, [`urn:pulumi:production::saleor::**::${PRIMARY}-core-beat`], "the old beat stops first");
        assert.match(String(run.stack.state.get(`${PRIMARY}-data-postgres-standby`)?.outputs.replicateSourceDb), /^arn:aws:rds:eu-west-1:/);
        for (const gone of ["data-postgres-writer", "data-postgres-reader", "core-beat", "core-migrate"]) {
            assert.ok(!run.stack.state.has(`${PRIMARY}-${gone}`), `${PRIMARY}-${gone} left the stack`);
        }
        assertServedFrom(run.stack, SECONDARY);
        assert.ok(run.saved.at(-1)?.finishedAt, "the failover is finished");
        assert.ok(s.followUp?.some((f) => f.includes("aws rds delete-db-instance") && f.includes(`${PRIMARY}-data-postgres-reader`)));
        // A failback now works as after any failover.
        const back = await run.go({ to: PRIMARY });
        assert.equal(back.exitCode, 0, back.message);
    });

    it("a run killed in outage mode resumes in outage mode", async () => {
        const run = setup("production", {}, "promote");
        run.stack.down.add(PRIMARY);
        const crashed = await run.go({ to: SECONDARY, primaryDown: true });
        assert.notEqual(crashed.exitCode, 0);
        const resumed = await run.go({ resume: true });
        assert.equal(resumed.exitCode, 0, resumed.message);
        assert.deepEqual(
            resumed.legs[0].stages.map((st) => [st.stage, st.result]),
            [
                ["target-region", "done"],
                ["other-region", "skipped"],
                ["migrations-beat", "done"],
            ],
        );
    });

    it("a failover that stopped when the primary went down goes on without it: --resume --primary-down", async () => {
        const run = setup("production", {}, "release-old");
        await run.go({ to: SECONDARY });
        run.stack.down.add(PRIMARY);
        const resumed = await run.go({ resume: true, primaryDown: true });
        assert.equal(resumed.exitCode, 0, resumed.message);
        assert.deepEqual(
            resumed.legs[0].stages.map((st) => [st.stage, st.result]),
            [
                ["promote", "done"],
                ["target-region", "done"],
                ["other-region", "skipped"],
                ["migrations-beat", "done"],
            ],
        );
        assertServedFrom(run.stack, SECONDARY);
    });

    it("the command line: --primary-down is no drill, --force goes with --primary-down", () => {
        const problems = (argv: string[]) => {
            const p = parseDeployArgs(argv);
            return p.kind === "problems" ? p.problems.join("; ") : "";
        };
        assert.match(
            problems(["--stack", "staging", "--failover", "--to", SECONDARY, "--drill", "--primary-down"]),
            /--primary-down.*drill/,
        );
        assert.match(problems(["--stack", "staging", "--failover", "--to", SECONDARY, "--force"]), /--force goes with --primary-down/);
        assert.deepEqual(parseDeployArgs(["--stack", "production", "--failover", "--to", SECONDARY, "--primary-down", "--yes"]), {
            kind: "failover",
            options: { stack: "production", to: SECONDARY, resume: false, drill: false, yes: true, primaryDown: true },
        });
    });

    describe("the preflight's probe of a region", () => {
        const answering =
            (answers: Record<string, number | Error>): ProbeFetch =>
            async (url) => {
                const a = answers[new URL(url).host];
                if (a instanceof Error) throw a;
                return { status: a };
            };
        const refused = Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } });

        it("a region answers when its RDS and EKS endpoints answer, an AWS error included", async () => {
            const probe = await probeAwsRegion(
                "eu-central-1",
                answering({ "rds.eu-central-1.amazonaws.com": 403, "eks.eu-central-1.amazonaws.com": 404 }),
            );
            assert.deepEqual(probe, {
                reachable: true,
                detail: "rds.eu-central-1.amazonaws.com: HTTP 403, eks.eu-central-1.amazonaws.com: HTTP 404",
            });
        });

        it("it does not when either endpoint gives no answer or a 5xx", async () => {
            const down = await probeAwsRegion(
                "eu-central-1",
                answering({ "rds.eu-central-1.amazonaws.com": refused, "eks.eu-central-1.amazonaws.com": 403 }),
            );
            assert.equal(down.reachable, false);
            assert.match(down.detail, /rds\.eu-central-1\.amazonaws\.com: ECONNREFUSED/);
            const failing = await probeAwsRegion(
                "eu-central-1",
                answering({ "rds.eu-central-1.amazonaws.com": 403, "eks.eu-central-1.amazonaws.com": 503 }),
            );
            assert.equal(failing.reachable, false);
        });
    });
});
