import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PlanChecks } from "../../automation/plan/checks";
import { evaluateStack } from "../../automation/plan/evaluate";
import type { PlanDocument } from "../../automation/plan/json";
import { validateKubernetesObjects } from "../../automation/plan/kubernetes-validation";
import { checkPlan, readPolicyConfigFile } from "../../policy/offline";
import { planOf } from "../support/plans";

const root = path.join(__dirname, "..", "..");

/** The dev plan with one Deployment the API server refuses (an unknown field) and one the pack refuses (no limits). */
async function flawedPlan(): Promise<PlanDocument> {
    const doc = structuredClone(await planOf("dev"));
    const deployments = doc.steps.filter((s) => s.newState?.type === "kubernetes:apps/v1:Deployment");
    assert.ok(deployments.length >= 2);
    (deployments[0].newState!.inputs.spec as Record<string, unknown>).replica = 2;
    const pod = (deployments[1].newState!.inputs.spec as any).template.spec;
    delete pod.containers[0].resources;
    return doc;
}

describe("the plan's checks, Kubernetes on a thread of its own", () => {
    it("judge a plan exactly as the in-process Kubernetes validation and policy pack do", async () => {
        const doc = await flawedPlan();
        const configFile = path.join(root, "policy", "config", "dev.json");
        const expected = {
            kubernetes: validateKubernetesObjects(doc),
            policy: await checkPlan(doc, readPolicyConfigFile(configFile)),
        };
        assert.ok(expected.kubernetes.rejections.length > 0, "the crafted plan has an object the API server refuses");
        assert.ok(expected.policy.violations.length > 0, "the crafted plan has a policy violation");
        const checks = new PlanChecks();
        const got = await checks.run(doc, { configFile });
        assert.deepEqual(got, expected);
    });

    it("are told each Kubernetes kind the program registers once, however many objects of it there are", async () => {
        const checks = new PlanChecks();
        const sent: unknown[] = [];
        const worker = (checks as unknown as { worker: { postMessage(m: unknown): void } }).worker;
        const postMessage = worker.postMessage.bind(worker);
        worker.postMessage = (m: unknown) => {
            sent.push(m);
            postMessage(m);
        };
        for (const type of [
            "kubernetes:apps/v1:Deployment",
            "aws:s3/bucketV2:BucketV2",
            "kubernetes:apps/v1:Deployment",
            "kubernetes:core/v1:Service",
        ]) {
            checks.preload(type);
        }
        const got = await checks.run(await planOf("dev"), undefined);
        assert.ok(got.kubernetes.validated.length > 0);
        assert.deepEqual(
            sent.filter((m) => (m as { kind: string }).kind === "preload"),
            [
                { kind: "preload", type: "kubernetes:apps/v1:Deployment" },
                { kind: "preload", type: "kubernetes:core/v1:Service" },
            ],
        );
    });

    it("skip the policy pack when the plan is made with --no-policy", async () => {
        const got = await new PlanChecks().run(await planOf("dev"), undefined);
        assert.equal(got.policy, undefined);
        assert.ok(got.kubernetes.validated.length > 0);
    });

    it("hand back a policy config the pack refuses as the pack's own error, with the Kubernetes verdict", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-checks-"));
        const configFile = path.join(dir, "dev.json");
        fs.writeFileSync(configFile, JSON.stringify({ "no-such-rule": "mandatory" }));
        const doc = await planOf("dev");
        const inProcess = await Promise.resolve()
            .then(() => checkPlan(doc, readPolicyConfigFile(configFile)))
            .then(
                () => assert.fail("the pack accepted an unknown rule"),
                (e: Error) => e,
            );
        const got = await new PlanChecks().run(doc, { configFile });
        assert.equal(got.policyError?.name, "PolicyInputError");
        assert.equal(got.policyError?.message, inProcess.message);
        assert.ok(got.kubernetes.validated.length > 0);
    });

    it("never hold a process open that ends without asking them (an error, a refusal)", () => {
        const script = `require(${JSON.stringify(path.join(root, "automation", "plan", "checks.ts"))}); new (require(${JSON.stringify(
            path.join(root, "automation", "plan", "checks.ts"),
        )}).PlanChecks)(); console.log("done");`;
        const run = spawnSync(process.execPath, ["-r", path.join(root, "automation", "register.js"), "-e", script], {
            encoding: "utf8",
            timeout: 20_000,
        });
        assert.equal(run.signal, null, "the process was still running after 20 s");
        assert.equal(run.status, 0, run.stderr);
        assert.equal(run.stdout.trim(), "done");
    });

    it("are told each resource type while the program still registers its resources", async () => {
        const told: string[] = [];
        const result = await evaluateStack({ stack: "dev", onRegister: (type) => told.push(type) });
        assert.ok("evaluation" in result);
        // In the order they arrive, which is not always the order they are recorded in: the same types, each as often.
        assert.deepEqual([...told].sort(), result.evaluation.resources.map((r) => r.type).sort());
    });
});
