import assert from "node:assert/strict";
import { evaluateStack } from "../../automation/plan/evaluate";
import { toPlanDocument } from "../../automation/plan/json";
import { checkPlan } from "../../policy/offline";
import { readStackConfig } from "../../policy/table";
import { Resources, reveal } from "../support/harness";
import { evaluated } from "../support/plans";

// "Saleor as it really runs": what Saleor Core needs at run time beyond starting, asserted in the
// plan of every stack it concerns. Upstream facts: saleor/saleor 3.23.5 (saleor/settings.py).

const stacks = ["dev", "staging", "production"] as const;
const regionsOf = (stack: string) => (stack === "dev" ? ["local"] : ["eu-central-1", "eu-west-1"]);
const configMap = (res: Resources, region: string) => (res.one("kubernetes:core/v1:ConfigMap", `${region}-core-config`).inputs as any).data;
const coreSecret = (res: Resources, region: string) =>
    reveal<Record<string, string>>((res.one("kubernetes:core/v1:Secret", `${region}-core-env`).inputs as any).stringData);

async function problemsOf(stack: string, overrides: Record<string, string>): Promise<string[]> {
    const result = await evaluateStack({ stack, configOverrides: overrides });
    return "problems" in result ? result.problems : [];
}

describe("Saleor as it really runs", () => {
    describe("app UIs in Dashboard iframes reach the API (ALLOWED_GRAPHQL_ORIGINS)", () => {
        for (const stack of stacks) {
            it(`${stack}: allows the origins saleor:app.allowedGraphqlOrigins names, beside our own`, async () => {
                const res = new Resources(
                    (await evaluated(stack, { "saleor:app": JSON.stringify({ allowedGraphqlOrigins: ["https://*.saleor.app"] }) }))
                        .resources,
                );
                for (const region of regionsOf(stack)) {
                    const origins = configMap(res, region).ALLOWED_GRAPHQL_ORIGINS.split(",");
                    assert.ok(origins.includes("https://*.saleor.app"), origins.join(","));
                    assert.ok(
                        origins.some((o: string) => o.includes("dashboard")),
                        `our own Dashboard stays allowed: ${origins}`,
                    );
                }
            });
        }
        it("defaults to our own origins only", async () => {
            const res = new Resources((await evaluated("production")).resources);
            assert.equal(
                configMap(res, "eu-west-1").ALLOWED_GRAPHQL_ORIGINS,
                "https://dashboard.nl.example.com,https://nl.example.com,https://be.example.com",
            );
        });
        it('accepts "*" and refuses anything that is not an origin, naming the key', async () => {
            const res = new Resources(
                (await evaluated("staging", { "saleor:app": JSON.stringify({ allowedGraphqlOrigins: "*" }) })).resources,
            );
            assert.equal(configMap(res, "eu-central-1").ALLOWED_GRAPHQL_ORIGINS, "*");
            const problems = await problemsOf("staging", {
                "saleor:app": JSON.stringify({ allowedGraphqlOrigins: ["https://apps.example.com/", "apps.example.com"] }),
            });
            assert.equal(problems.filter((p) => p.startsWith("saleor:app.allowedGraphqlOrigins[")).length, 2, problems.join("\n"));
        });
    });

    describe("demo data (admin@example.com / admin) never reaches a real shop", () => {
        for (const stack of ["staging", "production"]) {
            it(`${stack}: saleor:features.demoData is refused by config`, async () => {
                const problems = await problemsOf(stack, { "saleor:features": JSON.stringify({ demoData: true }) });
                assert.ok(
                    problems.some((p) => p.startsWith("saleor:features.demoData:")),
                    problems.join("\n"),
                );
            });
            it(`${stack}: a populatedb Job is a mandatory policy violation`, async () => {
                // The dev program with demo data, judged by this stack's policy config.
                const plan = toPlanDocument(await evaluated("dev", { "saleor:features": JSON.stringify({ demoData: true }) }));
                const result = await checkPlan(plan, readStackConfig(stack as "staging" | "production"));
                const found = result.violations.filter((v) => v.policyName === "kubernetes-no-demo-data-job");
                assert.equal(found.length, 1);
                assert.equal(found[0].enforcementLevel, "mandatory");
            });
        }
        it("dev: loads demo data on request, and its policy allows it", async () => {
            const plan = toPlanDocument(await evaluated("dev", { "saleor:features": JSON.stringify({ demoData: true }) }));
            const result = await checkPlan(plan, readStackConfig("dev"));
            assert.deepEqual(
                result.violations.map((v) => v.policyName),
                [],
            );
            const jobs = new Resources(plan.steps.flatMap((s: any) => (s.newState ? [s.newState] : [])) as any)
                .ofType("kubernetes:batch/v1:Job")
                .filter((j) => JSON.stringify(j.inputs).includes("populatedb"));
            assert.equal(jobs.length, 1);
        });
    });
});

export { coreSecret };
