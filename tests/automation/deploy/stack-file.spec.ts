import { strict as assert } from "node:assert";
import { closeServers, harness, NEW, OLD, PRIMARY, SECONDARY } from "./harness";
import { breaks, healthy } from "../../../automation/deploy/fakes/region-server";

// Pulumi.<stack>.yaml after a run: a run that moved nothing leaves it byte for byte as it was;
// a release that reached every region leaves one key naming it, the change to commit.

const FILE = `config:
  saleor:environment: staging
  # eu-west-1 stays on 3.23.4 until the NL payment provider is certified.
  saleor:regionReleases:
    ${SECONDARY}: ${OLD}
  saleor:release: ${OLD}
`;
const config = { release: OLD, regionReleases: { [SECONDARY]: OLD } };

afterEach(closeServers);

describe("deploy driver: the stack file after a run", () => {
    it("a preview-only run leaves it byte for byte as it was", async () => {
        const h = await harness({ config, scenario: { stackFile: FILE } });
        assert.equal((await h.run({ previewOnly: true })).result, "previewed");
        assert.equal(h.stack.stackFile, FILE);
    });

    it("a rolled-back primary keeps the failed release's pre-migration snapshot: it names that release as the previous one", async () => {
        const rollback = await harness({
            config,
            scenario: { stackFile: FILE },
            behaviourAt: (r, release) => (r === PRIMARY && release === NEW ? breaks("health", { status: 503 }) : healthy),
        });
        assert.equal((await rollback.run()).result, "failed");
        // The rollback's own update already names it, so it never deletes the snapshot taken before NEW's migration.
        const sets = rollback.stack.calls.flatMap((c) => (c.kind === "setReleaseConfig" ? [c.config] : []));
        const rollbackUpdate = sets.filter((c) => (c.regionReleases?.[PRIMARY] ?? c.release) === OLD).at(-1);
        assert.equal(rollbackUpdate?.previousRelease, NEW, JSON.stringify(sets));
        // Otherwise as it was: the same release and pins (as `pulumi config set` writes them), the comments kept.
        const file = rollback.stack.stackFile!;
        assert.ok(file.includes(`  saleor:previousRelease: ${NEW}\n`), file);
        assert.ok(file.includes("# eu-west-1 stays on 3.23.4 until the NL payment provider is certified."), file);
        assert.deepEqual(rollback.stack.config, { ...config, previousRelease: NEW });
    });

    it("a run stopped at a gate, by a lock conflict or by a signal leaves it as it was", async () => {
        const runs = [
            {
                name: "mandatory policy",
                scenario: { policies: () => [{ policyName: "x", enforcementLevel: "mandatory" as const, message: "no" }] },
            },
            { name: "lock conflict", scenario: { locked: (op: string) => op === "up" } },
        ];
        for (const { name, scenario } of runs) {
            const h = await harness({ config, scenario: { stackFile: FILE, ...scenario } });
            await h.run();
            assert.equal(h.stack.stackFile, FILE, name);
        }
        const controller = new AbortController();
        const cancelled = await harness({
            config,
            scenario: { stackFile: FILE, duringUpdate: () => controller.abort("SIGINT") },
            signal: controller.signal,
        });
        assert.equal((await cancelled.run()).result, "cancelled");
        assert.equal(cancelled.stack.stackFile, FILE, "cancelled");
    });

    it("a release in every region leaves one key naming it and the release the primary ran before, no pins", async () => {
        const h = await harness({ config, scenario: { stackFile: FILE } });
        assert.equal((await h.run()).result, "succeeded");
        // saleor:previousRelease keeps that release's pre-migration snapshot beside the new one's (components/data/aws).
        assert.equal(
            h.stack.stackFile,
            `config:\n  saleor:environment: staging\n  # eu-west-1 stays on 3.23.4 until the NL payment provider is certified.\n  saleor:release: ${NEW}\n  saleor:previousRelease: ${OLD}\n`,
        );
    });

    it("names the primary's previous release while the primary runs the new one, and not before", async () => {
        const h = await harness({ config });
        assert.equal((await h.run()).result, "succeeded");
        const sets = h.stack.calls.flatMap((c) => (c.kind === "setReleaseConfig" ? [c.config] : []));
        for (const set of sets) {
            const primary = set.regionReleases?.[PRIMARY] ?? set.release;
            assert.equal(set.previousRelease, primary === NEW ? OLD : undefined, JSON.stringify(set));
        }
    });
});
