import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../automation/policy-cli";
import { checkPlan, readPlanFile, readPolicyConfigFile } from "../../policy/offline";
import { policies } from "../../policy/rules";
import { readStackConfig } from "../../policy/table";
import { runCli } from "../support/plans";

/*
 * A stack may switch a mandatory rule off only with a written reason, and every such rule is listed
 * wherever a check's result is shown, so a reader of a green check sees what it did not check.
 */

const plans = path.join(__dirname, "fixtures", "plans");
const devPlanFile = path.join(plans, "offline-dev.json");
const devPlan = () => readPlanFile(devPlanFile);

function tempConfig(config: object): string {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "disabled-mandatory-")), "dev.json");
    fs.writeFileSync(file, JSON.stringify(config));
    return file;
}

async function policyCli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("disabling a mandatory rule needs a reason", () => {
    it("a mandatory rule disabled without a reason is refused, naming the rule", () => {
        const file = tempConfig({ "aws-iam-policy-no-full-admin": { enforcementLevel: "disabled" } });
        assert.throws(() => readPolicyConfigFile(file), /aws-iam-policy-no-full-admin: disables a mandatory rule without a "reason"/);
    });

    it("the bare string form has no room for a reason and is refused too", () => {
        const file = tempConfig({ "aws-iam-policy-no-full-admin": "disabled" });
        assert.throws(() => readPolicyConfigFile(file), /aws-iam-policy-no-full-admin: disables a mandatory rule without a "reason"/);
    });

    it("an empty or non-text reason is no reason", () => {
        for (const reason of ["", "   ", 42]) {
            const file = tempConfig({ "aws-iam-policy-no-full-admin": { enforcementLevel: "disabled", reason } });
            assert.throws(() => readPolicyConfigFile(file), /aws-iam-policy-no-full-admin/, JSON.stringify(reason));
        }
    });

    it('"all": "disabled" names every mandatory rule it switches off without a reason', () => {
        const file = tempConfig({ all: "disabled", "aws-ecr-repository-tags-immutable": "mandatory" });
        assert.throws(
            () => readPolicyConfigFile(file),
            (e: Error) => {
                assert.match(e.message, /aws-iam-policy-no-full-admin \(by "all"\): disables a mandatory rule without a "reason"/);
                assert.doesNotMatch(e.message, /aws-ecr-repository-tags-immutable \(by "all"\)/, "the rule enabled again is not named");
                return true;
            },
        );
    });

    it('a reason on "all" covers the rules it disables', () => {
        const config = readPolicyConfigFile(
            tempConfig({
                all: { enforcementLevel: "disabled", reason: "a scratch check of one rule" },
                "aws-ecr-repository-tags-immutable": "mandatory",
            }),
        );
        assert.ok(config);
    });

    it("an advisory rule may be disabled without a reason", () => {
        const config = readPolicyConfigFile(tempConfig({ "aws-eks-node-groups-vcpu-budget": { enforcementLevel: "disabled" } }));
        assert.ok(config);
    });

    it("checkPlan refuses a config object without the reason as well", async () => {
        await assert.rejects(
            checkPlan(devPlan(), { "kubernetes-service-no-load-balancer": { enforcementLevel: "disabled" } }),
            /kubernetes-service-no-load-balancer: disables a mandatory rule without a "reason"/,
        );
    });

    it("every stack's own config gives its reasons", () => {
        for (const stack of ["dev", "staging", "production"]) {
            assert.ok(readPolicyConfigFile(path.join(__dirname, "..", "..", "policy", "config", `${stack}.json`)), stack);
        }
    });

    it("npm run policy exits 2 and names the rule", async () => {
        const { code, err } = await policyCli(devPlanFile, "--config", tempConfig({ "aws-kms-key-rotation-enabled": "disabled" }));
        assert.strictEqual(code, 2);
        assert.match(err, /^error: .*aws-kms-key-rotation-enabled: disables a mandatory rule without a "reason"/);
    });
});

describe("disabled mandatory rules are listed in every result", () => {
    it("checkPlan returns each with its reason", async () => {
        const result = await checkPlan(devPlan(), readStackConfig("dev"));
        assert.ok(result.disabledMandatory.length > 0);
        const byName = new Map(result.disabledMandatory.map((d) => [d.policyName, d.reason]));
        assert.strictEqual(
            byName.get("aws-stack-multi-region"),
            (readStackConfig("dev") as Record<string, { reason: string }>)["aws-stack-multi-region"].reason,
        );
        // Exactly the rules that are mandatory by definition and disabled in dev's config.
        const dev = readStackConfig("dev") as Record<string, { enforcementLevel?: string }>;
        const expected = policies
            .filter((p) => p.enforcementLevel === "mandatory" && dev[p.name]?.enforcementLevel === "disabled")
            .map((p) => p.name);
        assert.deepStrictEqual([...byName.keys()], expected);
    });

    it("npm run policy lists them in its human output", async () => {
        // The fixture is an older dev plan with violations of its own; the list comes after them.
        const { out } = await policyCli(devPlanFile);
        assert.match(out, /\nmandatory rules disabled by .*policy\/config\/dev\.json \(\d+\)\n/);
        assert.match(out, /\n {2}\[aws-stack-multi-region\] /);
    });

    it("npm run policy -- --json lists them with their reasons", async () => {
        const { out } = await policyCli(devPlanFile, "--json");
        const json = JSON.parse(out) as { disabledMandatoryRules: { policyName: string; reason: string }[] };
        const entry = json.disabledMandatoryRules.find((d) => d.policyName === "aws-stack-multi-region");
        assert.ok(entry && entry.reason.length > 0, out.slice(0, 400));
    });

    it("npm run policy says so when none is disabled", async () => {
        const { out } = await policyCli(devPlanFile, "--config", tempConfig({}), "--json");
        assert.deepStrictEqual((JSON.parse(out) as { disabledMandatoryRules: unknown[] }).disabledMandatoryRules, []);
    });

    it("npm run plan lists them in the human plan", async () => {
        const { code, stdout } = await runCli(["--stack", "dev"]);
        assert.strictEqual(code, 0);
        assert.match(stdout, /Policy: \d+ mandatory rule\(s\) disabled by policy\/config\/dev\.json:/);
        assert.match(stdout, /\n {2}aws-stack-multi-region: /);
    });

    it("npm run plan -- --json carries them in the plan document", async () => {
        const { stdout } = await runCli(["--stack", "dev", "--json"]);
        const doc = JSON.parse(stdout) as { disabledMandatoryRules: { policyName: string; reason: string }[] };
        assert.ok(doc.disabledMandatoryRules.some((d) => d.policyName === "aws-stack-multi-region" && d.reason.length > 0));
    });

    it("npm run plan -- --timeline --json carries them too", async () => {
        const { stdout } = await runCli(["--stack", "staging", "--timeline", "--json"]);
        const doc = JSON.parse(stdout) as { disabledMandatoryRules: { policyName: string }[] };
        assert.ok(doc.disabledMandatoryRules.some((d) => d.policyName === "aws-rds-instance-multi-az-enabled"));
    });

    it("production disables none, and its plan says an empty list", async () => {
        const { stdout } = await runCli(["--stack", "production", "--json"]);
        assert.deepStrictEqual((JSON.parse(stdout) as { disabledMandatoryRules: unknown[] }).disabledMandatoryRules, []);
    });
});

describe("npm run plan's checks thread refuses a config without the reason", () => {
    it("as the PolicyInputError the plan CLI turns into exit 2, naming the rule", async () => {
        const { PlanChecks } = await import("../../automation/plan/checks");
        const { planOf } = await import("../support/plans");
        const checked = await new PlanChecks().run(await planOf("dev"), {
            configFile: tempConfig({ "aws-kms-key-rotation-enabled": { enforcementLevel: "disabled" } }),
        });
        assert.strictEqual(checked.policyError?.name, "PolicyInputError");
        assert.match(checked.policyError.message, /aws-kms-key-rotation-enabled: disables a mandatory rule without a "reason"/);
    });
});
