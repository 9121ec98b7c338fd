import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runPlanCli } from "../../automation/plan-cli";
import { checkPlan } from "../../policy/offline";
import { readStackConfig } from "../../policy/table";
import { planOf } from "../support/plans";

describe("every stack through the policy pack", () => {
    for (const stack of ["dev", "staging", "production"] as const) {
        it(`${stack} passes every mandatory rule and raises no advisory finding`, async () => {
            const result = await checkPlan(await planOf(stack), readStackConfig(stack));
            const listed = result.violations.map((v) => `${v.enforcementLevel} ${v.policyName} ${v.urn.split("::").pop()}: ${v.message}`);
            assert.deepEqual(listed, []);
            assert.ok(result.resourceCount > 20);
        });
    }

    it("the offline plan exits 1 and lists the rule when a stack's config breaks a production guarantee", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-"));
        const file = path.join(dir, "Pulumi.production.yaml");
        const original = fs.readFileSync(path.join(__dirname, "..", "..", "Pulumi.production.yaml"), "utf8");
        // Valid config, but a single-AZ database: the config model allows it, production's policy does not.
        fs.writeFileSync(file, `${original}  saleor:data:\n    aws:\n      postgres:\n        multiAz: false\n`);
        let stdout = "";
        const code = await runPlanCli(
            ["--stack", "production", "--config-file", file, "--json"],
            (s) => {
                stdout += s;
            },
            () => undefined,
        );
        assert.equal(code, 1);
        const doc = JSON.parse(stdout);
        const names = doc.policyViolations.filter((v: any) => v.enforcementLevel === "mandatory").map((v: any) => v.policyName);
        assert.ok(names.includes("aws-rds-instance-multi-az-enabled"), names.join(", "));
    });

    it("the offline plan exits 1 and names the WAF rule when production's ALB Ingresses lose their web ACL (operations.edge off)", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-"));
        const file = path.join(dir, "Pulumi.production.yaml");
        const original = fs.readFileSync(path.join(__dirname, "..", "..", "Pulumi.production.yaml"), "utf8");
        assert.ok(original.includes("  saleor:operations:\n"));
        // Valid config, but no edge: the internet-facing Ingresses keep their ALB and lose the WAF annotation.
        fs.writeFileSync(file, original.replace("  saleor:operations:\n", "  saleor:operations:\n    edge: false\n"));
        let stdout = "";
        const code = await runPlanCli(
            ["--stack", "production", "--config-file", file, "--json"],
            (s) => {
                stdout += s;
            },
            () => undefined,
        );
        assert.equal(code, 1);
        const doc = JSON.parse(stdout);
        const waf = doc.policyViolations.filter((v: any) => v.policyName === "kubernetes-ingress-alb-waf-enabled");
        assert.ok(waf.length > 0, JSON.stringify(doc.policyViolations.map((v: any) => v.policyName)));
        assert.ok(waf.every((v: any) => v.enforcementLevel === "mandatory"));
    });

    it("--no-policy skips the check and says so", async () => {
        let stdout = "";
        const code = await runPlanCli(
            ["--stack", "dev", "--no-policy"],
            (s) => {
                stdout += s;
            },
            () => undefined,
        );
        assert.equal(code, 0);
        assert.match(stdout, /Policy: not checked \(--no-policy\)\./);
    });
});
