import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { Policy } from "@pulumi/policy";
import * as awsRules from "../../policy/aws";
import * as kubernetesRules from "../../policy/kubernetes";
import * as stackRules from "../../policy/stack";
import { ruleInfo } from "../../policy/lib/define";
import { packConfigProblems, policySettingsOf } from "../../policy/lib/pack-config";
import { policies, policyPackName } from "../../policy/rules";
import { readStackConfig, STACKS } from "../../policy/table";

const policyDir = path.join(__dirname, "..", "..", "policy");
const read = (file: string) => fs.readFileSync(path.join(policyDir, file), "utf8");

function exportedPolicies(module: object): Policy[] {
    return Object.values(module).filter(
        (value): value is Policy =>
            typeof value === "object" &&
            value !== null &&
            typeof (value as Policy).name === "string" &&
            ("validateResource" in value || "validateStack" in value),
    );
}

describe("the saleor-guard pack", () => {
    it("index.ts hands the pack exactly the rule list of rules.ts, unfiltered", () => {
        // Read as text: importing index.ts would start the analyzer's gRPC server.
        const index = read("index.ts");
        assert.match(index, /import \{[^}]*\bpolicies\b[^}]*\} from "\.\/rules";/);
        assert.match(index, /new PolicyPack\(policyPackName, \{\s*policies,/);
        assert.strictEqual((index.match(/\bnew PolicyPack\(/g) ?? []).length, 1);
        assert.doesNotMatch(index, /validateResource|validateStack|policies\.(filter|slice|concat|map)|\.\.\.policies|policies:/);
        assert.strictEqual(policyPackName, "saleor-guard");
    });

    it("rules.ts lists every rule the aws, kubernetes and stack barrels export, each once", () => {
        const exported = new Set([...exportedPolicies(awsRules), ...exportedPolicies(kubernetesRules), ...exportedPolicies(stackRules)]);
        assert.strictEqual(new Set(policies).size, policies.length);
        assert.deepStrictEqual([...exported].map((p) => p.name).sort(), policies.map((p) => p.name).sort());
    });

    it("has at least 30 rules with unique kebab-case names and one-sentence descriptions", () => {
        assert.ok(policies.length >= 30, `${policies.length} rules`);
        assert.strictEqual(new Set(policies.map((p) => p.name)).size, policies.length);
        for (const policy of policies) {
            assert.match(policy.name, /^(aws|kubernetes)(-[a-z0-9]+)+$/, policy.name);
            assert.match(policy.description, /^[A-Z].*\.$/, policy.name);
            assert.doesNotMatch(policy.description, /\.\s+[A-Z]/, `${policy.name}: one sentence`);
            assert.ok(ruleInfo(policy).guards.length > 0, policy.name);
        }
    });

    it("the pack loads only @pulumi/policy and @pulumi/pulumi, its package.json dependencies", () => {
        const pkg = JSON.parse(read("package.json"));
        assert.strictEqual(pkg.name, "saleor-policy");
        assert.deepStrictEqual(Object.keys(pkg.dependencies).sort(), ["@pulumi/policy", "@pulumi/pulumi"]);
        assert.match(read("PulumiPolicy.yaml"), /^runtime: nodejs$/m);
        // Walk the imports from index.ts: relative files must stay inside policy/, packages must be the two dependencies.
        const seen = new Set<string>();
        const walk = (file: string) => {
            if (seen.has(file)) {
                return;
            }
            seen.add(file);
            for (const [, specifier] of fs.readFileSync(file, "utf8").matchAll(/from "([^"]+)"/g)) {
                if (specifier.startsWith(".")) {
                    const target = path.resolve(path.dirname(file), specifier);
                    walk(fs.existsSync(`${target}.ts`) ? `${target}.ts` : path.join(target, "index.ts"));
                } else {
                    assert.match(specifier, /^@pulumi\/(policy|pulumi)(\/|$)/, `${path.relative(policyDir, file)} imports ${specifier}`);
                }
            }
        };
        walk(path.join(policyDir, "index.ts"));
        assert.ok(![...seen].some((f) => /offline|table/.test(path.basename(f))), "the pack must not load the offline runner");
        for (const file of seen) {
            assert.ok(file.startsWith(policyDir), file);
        }
    });
});

describe("per-stack policy configs", () => {
    for (const stack of STACKS) {
        it(`${stack}.json names every rule with an explicit level and valid settings`, () => {
            const config = readStackConfig(stack);
            assert.deepStrictEqual(packConfigProblems(config, policies), []);
            for (const policy of policies) {
                const entry = config[policy.name];
                assert.ok(typeof entry === "object" && entry.enforcementLevel, `${stack}: ${policy.name}`);
            }
        });
    }

    it("security rules are mandatory in staging and production", () => {
        for (const stack of ["staging", "production"] as const) {
            const config = readStackConfig(stack);
            for (const policy of policies.filter((p) => ruleInfo(p).category === "security")) {
                assert.strictEqual(
                    (config[policy.name] as { enforcementLevel: string }).enforcementLevel,
                    "mandatory",
                    `${stack}: ${policy.name}`,
                );
            }
        }
    });

    it("every rule a stack relaxes below production, or exempts components from, says why", () => {
        const rank = { disabled: 0, advisory: 1, mandatory: 2, remediate: 2 };
        const production = readStackConfig("production");
        for (const stack of ["dev", "staging"] as const) {
            const config = readStackConfig(stack);
            for (const policy of policies) {
                const entry = config[policy.name] as { enforcementLevel: keyof typeof rank; reason?: string; exemptComponents?: string[] };
                const productionLevel = (production[policy.name] as { enforcementLevel: keyof typeof rank }).enforcementLevel;
                if (rank[entry.enforcementLevel] < rank[productionLevel] || (entry.exemptComponents ?? []).length > 0) {
                    assert.ok(entry.reason && entry.reason.length > 20, `${stack}: ${policy.name} needs a reason`);
                }
            }
        }
    });

    it("production.json equals the pack's defaults, so a run without config judges like production; only exemptions differ, each with a reason", () => {
        const production = readStackConfig("production");
        for (const policy of policies) {
            const { enforcementLevel, reason, exemptComponents, ...settings } = production[policy.name] as Record<string, unknown>;
            assert.strictEqual(enforcementLevel, policy.enforcementLevel, policy.name);
            assert.deepStrictEqual(policySettingsOf(policy, { [policy.name]: settings }), policySettingsOf(policy, undefined), policy.name);
            if (Array.isArray(exemptComponents) && exemptComponents.length > 0) {
                assert.ok(typeof reason === "string" && reason.length > 20, `${policy.name}: an exemption needs a reason`);
            }
        }
    });

    it("production requires the 6-hour / 30-day backup plan the production guide asks for", () => {
        const entry = readStackConfig("production")["aws-backup-plan-frequency-and-retention"] as {
            enforcementLevel: string;
            maxIntervalHours: number;
            minRetentionDays: number;
        };
        assert.strictEqual(entry.enforcementLevel, "mandatory");
        assert.strictEqual(entry.maxIntervalHours, 6);
        assert.strictEqual(entry.minRetentionDays, 30);
    });
});
