import * as assert from "assert";
import * as path from "path";
import { PolicyResource, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { resourceRule, resourceType, stackRule } from "../../policy/lib/define";
import {
    NotApplicableError,
    resourceValidationArgs,
    runResourcePolicy,
    runStackPolicy,
    stackValidationArgs,
} from "../../policy/lib/invoke";
import { checkPlan, planResources, PolicyInputError, readPlanFile, readPolicyConfigFile } from "../../policy/offline";
import { analyzed, UNKNOWN_VALUE } from "./harness";
import { readStackConfig } from "../../policy/table";

const plans = path.join(__dirname, "fixtures", "plans");
const previewPlan = () => readPlanFile(path.join(plans, "preview-production.json")) as { steps: any[] };
const devPlan = () => readPlanFile(path.join(plans, "offline-dev.json")) as { steps: any[] };
const summary = (violations: { policyName: string; enforcementLevel: string }[]) =>
    violations.map((v) => `${v.enforcementLevel} ${v.policyName}`).sort();

describe("checking a `pulumi preview --json` plan offline", () => {
    it("production's preview has five mandatory violations, a missing backup plan among them", async () => {
        const result = await checkPlan(previewPlan(), readStackConfig("production"));
        assert.deepStrictEqual(summary(result.violations), [
            "mandatory aws-backup-plan-frequency-and-retention",
            "mandatory aws-ecr-repository-tags-immutable",
            "mandatory aws-rds-instance-master-password-managed",
            "mandatory aws-rds-instance-multi-az-enabled",
            "mandatory aws-stack-multi-region",
        ]);
        assert.ok(result.violations.every((v) => v.policyPackName === "saleor-guard"));
    });

    it("a resource unchanged by the update (op same) is still judged", async () => {
        const result = await checkPlan(previewPlan(), readStackConfig("production"));
        const ecr = result.violations.find((v) => v.policyName === "aws-ecr-repository-tags-immutable")!;
        assert.strictEqual(ecr.urn, "urn:pulumi:production::saleor::aws:ecr/repository:Repository::saleor-core");
    });

    it("an updated resource is judged on its new state", async () => {
        const result = await checkPlan(previewPlan(), readStackConfig("production"));
        const rds = result.violations.find((v) => v.policyName === "aws-rds-instance-multi-az-enabled")!;
        assert.strictEqual(rds.urn, "urn:pulumi:production::saleor::saleor:components:DataTier$aws:rds/instance:Instance::saleor-db");
        assert.strictEqual(rds.enforcementLevel, "mandatory");
    });

    it("stack violations carry the stack's URN", async () => {
        const result = await checkPlan(previewPlan(), readStackConfig("production"));
        const region = result.violations.find((v) => v.policyName === "aws-stack-multi-region")!;
        assert.strictEqual(region.urn, "urn:pulumi:production::saleor::pulumi:pulumi:Stack::saleor-production");
    });

    it("deleted resources are not judged (the LoadBalancer Service being removed)", async () => {
        const result = await checkPlan(previewPlan(), readStackConfig("production"));
        assert.ok(!result.violations.some((v) => v.policyName === "kubernetes-service-no-load-balancer"));
        assert.ok(!planResources(previewPlan()).resources.some((r) => r.urn.endsWith("core-api-public")));
    });

    it("a replaced resource appears once, with its replacement's state", () => {
        const configMaps = planResources(previewPlan()).resources.filter((r) => r.type === "kubernetes:core/v1:ConfigMap");
        assert.strictEqual(configMaps.length, 1);
        assert.deepStrictEqual(configMaps[0].props.data, { DEBUG: "False" });
    });

    it("a secret env value ([secret]) is opaque: neither a violation nor a skipped check", async () => {
        const result = await checkPlan(previewPlan(), readStackConfig("production"));
        assert.ok(!result.violations.some((v) => v.policyName === "kubernetes-workload-no-plaintext-secret-env"));
        assert.deepStrictEqual(result.skipped, []);
    });

    it("the same env value in plain text is a violation", async () => {
        const plan = previewPlan();
        const api = plan.steps.find((s) => s.urn.endsWith("Deployment::core-api"));
        api.newState.inputs.spec.template.spec.containers[0].env[0].value = "postgres://saleor:hunter2@db:5432/saleor";
        const result = await checkPlan(plan, readStackConfig("production"));
        const env = result.violations.filter((v) => v.policyName === "kubernetes-workload-no-plaintext-secret-env");
        assert.strictEqual(env.length, 1);
        assert.ok(!env[0].message.includes("hunter2"), "the message must not repeat the secret");
    });

    it("the stack name comes from the URNs when the preview does not state it", async () => {
        assert.strictEqual((await checkPlan(previewPlan())).stack, "production");
    });

    it("rejects a document without steps", async () => {
        await assert.rejects(checkPlan({ resources: [] }), (e: Error) => e instanceof PolicyInputError && /no steps array/.test(e.message));
    });
});

describe("checking an offline plan (npm run plan -- --json)", () => {
    it("dev's plan has the beat, load balancer and disruption-budget violations and nothing else", async () => {
        const result = await checkPlan(devPlan(), readStackConfig("dev"));
        assert.deepStrictEqual(summary(result.violations), [
            "mandatory kubernetes-celery-beat-one-per-stack",
            "mandatory kubernetes-celery-beat-single-replica",
            "mandatory kubernetes-celery-beat-single-replica",
            "mandatory kubernetes-deployment-pod-disruption-budget",
            "mandatory kubernetes-service-no-load-balancer",
        ]);
    });

    it("a stack config's exemptComponents spares only the named components", async () => {
        const plan = devPlan();
        const postgres = plan.steps.find((s) => s.urn.endsWith("StatefulSet::local-postgres"));
        delete postgres.newState.inputs.spec.template.spec.securityContext;
        const exempt = {
            ...readStackConfig("dev"),
            "kubernetes-workload-runs-as-non-root": { enforcementLevel: "mandatory" as const, exemptComponents: ["postgres"] },
        };
        const onPostgres = (r: Awaited<ReturnType<typeof checkPlan>>) =>
            r.violations.filter((v) => v.urn.endsWith("StatefulSet::local-postgres")).map((v) => v.policyName);
        assert.deepStrictEqual(onPostgres(await checkPlan(plan, readStackConfig("dev"))), ["kubernetes-workload-runs-as-non-root"]);
        assert.deepStrictEqual(onPostgres(await checkPlan(plan, exempt)), []);
    });

    it("object keys reach the rules sorted, as the engine's protobuf Struct delivers them, so messages read the same", async () => {
        const plan = devPlan();
        const api = plan.steps.find((s) => s.urn.endsWith("Deployment::local-core-api"));
        api.newState.inputs = { spec: api.newState.inputs.spec, metadata: api.newState.inputs.metadata };
        api.newState.inputs.spec.replicas = 3;
        api.newState.inputs.spec.template.metadata.labels = { zeta: "z", alpha: "a" };
        const resource = planResources(plan).resources.find((r) => r.urn === api.urn)!;
        assert.deepStrictEqual(Object.keys(resource.props), ["metadata", "spec"]);
        assert.deepStrictEqual(Object.keys((resource.props.spec as any).template.metadata.labels), ["alpha", "zeta"]);
        const result = await checkPlan(plan, readStackConfig("dev"));
        const budget = result.violations.find((v) => v.policyName === "kubernetes-deployment-pod-disruption-budget" && v.urn === api.urn);
        assert.match(budget?.message ?? "", /selector\.matchLabels match \{"alpha":"a","zeta":"z"\}/);
    });

    it("dev's Ingress on localhost needs no TLS, staging's would", async () => {
        const dev = await checkPlan(devPlan(), readStackConfig("dev"));
        const staging = await checkPlan(devPlan(), readStackConfig("staging"));
        assert.ok(!dev.violations.some((v) => v.policyName === "kubernetes-ingress-tls-enabled"));
        assert.ok(staging.violations.some((v) => v.policyName === "kubernetes-ingress-tls-enabled" && v.enforcementLevel === "mandatory"));
    });

    it("a policy the config disables never runs", async () => {
        const config = {
            ...readStackConfig("dev"),
            "kubernetes-service-no-load-balancer": { enforcementLevel: "disabled" as const, reason: "a test" },
        };
        const result = await checkPlan(devPlan(), config);
        assert.ok(!result.violations.some((v) => v.policyName === "kubernetes-service-no-load-balancer"));
    });

    it('"all" sets every level the way the engine does, and a policy\'s own entry wins', async () => {
        const result = await checkPlan(devPlan(), { all: "advisory", "kubernetes-service-no-load-balancer": "mandatory" });
        assert.deepStrictEqual(
            [...new Set(result.violations.map((v) => `${v.enforcementLevel} ${v.policyName}`))].filter((s) => s.startsWith("mandatory")),
            ["mandatory kubernetes-service-no-load-balancer"],
        );
    });

    it("a remediate level reports like mandatory", async () => {
        const result = await checkPlan(devPlan(), { "kubernetes-service-no-load-balancer": "remediate" });
        assert.strictEqual(
            result.violations.find((v) => v.policyName === "kubernetes-service-no-load-balancer")?.enforcementLevel,
            "mandatory",
        );
    });

    it("a config naming an unknown policy or a bad threshold is refused with every problem", async () => {
        await assert.rejects(
            checkPlan(devPlan(), {
                "kubernetes-no-such-rule": "mandatory",
                "aws-rds-instance-backup-retention-minimum": { minDays: "thirty" },
            } as never),
            (e: Error) =>
                e instanceof PolicyInputError &&
                /kubernetes-no-such-rule: no policy of this pack has that name/.test(e.message) &&
                /aws-rds-instance-backup-retention-minimum.minDays: expected integer, got string/.test(e.message),
        );
    });

    it("each stack's config file is accepted as a --policy-pack-config document", () => {
        for (const stack of ["dev", "staging", "production"]) {
            readPolicyConfigFile(path.join(__dirname, "..", "..", "policy", "config", `${stack}.json`));
        }
    });
});

describe("validation arguments built like the engine's", () => {
    const seen: { resource?: ResourceValidationArgs; stack?: StackValidationArgs } = {};
    const recorder = resourceRule({
        name: "test-recorder",
        description: "Records its arguments.",
        enforcementLevel: "advisory",
        category: "security",
        type: resourceType<{ size?: number }>("test:index:Thing"),
        validate: (_props, { args }) => {
            seen.resource = args;
        },
    });
    const stackRecorder = stackRule({
        name: "test-stack-recorder",
        description: "Records its arguments.",
        enforcementLevel: "advisory",
        category: "security",
        guards: [],
        validate: (args) => {
            seen.stack = args;
        },
    });
    const providerUrn = "urn:pulumi:test::saleor::pulumi:providers:aws::aws-eu-west-1";
    const plan = {
        stack: "test",
        steps: [
            {
                op: "create",
                urn: providerUrn,
                newState: { type: "pulumi:providers:aws", urn: providerUrn, custom: true, inputs: { region: "eu-west-1" } },
            },
            {
                op: "create",
                urn: "urn:pulumi:test::saleor::test:index:Parent::p",
                newState: { type: "test:index:Parent", urn: "urn:pulumi:test::saleor::test:index:Parent::p", custom: false, inputs: {} },
            },
            {
                op: "create",
                urn: "urn:pulumi:test::saleor::test:index:Parent$test:index:Thing::thing-one",
                newState: {
                    type: "test:index:Thing",
                    urn: "urn:pulumi:test::saleor::test:index:Parent$test:index:Thing::thing-one",
                    custom: true,
                    parent: "urn:pulumi:test::saleor::test:index:Parent::p",
                    provider: `${providerUrn}::${UNKNOWN_VALUE}`,
                    inputs: { size: "[unknown]", label: "[secret]", name: "one" },
                    dependencies: ["urn:pulumi:test::saleor::test:index:Parent::p", "urn:pulumi:test::saleor::missing:index:Gone::x"],
                    protect: true,
                },
            },
        ],
    };
    const [provider, parent, thing] = planResources(plan).resources;

    it("name is the URN's last segment and opts carry protect and parent", async () => {
        await runResourcePolicy(recorder, thing, {});
        assert.strictEqual(seen.resource!.name, "thing-one");
        assert.strictEqual(seen.resource!.opts.protect, true);
        assert.strictEqual(seen.resource!.opts.parent, parent.urn);
    });

    it("the provider is resolved from its step, with its inputs (the region) as props", async () => {
        await runResourcePolicy(recorder, thing, {});
        assert.strictEqual(seen.resource!.provider!.urn, provider.urn);
        assert.strictEqual(seen.resource!.provider!.type, "pulumi:providers:aws");
        assert.strictEqual(seen.resource!.provider!.props.region, "eu-west-1");
    });

    it("stackTags is an empty map and notApplicable throws", () => {
        const args = resourceValidationArgs(thing, {});
        assert.strictEqual(args.stackTags.size, 0);
        assert.throws(() => args.notApplicable("nope"), NotApplicableError);
    });

    it("[unknown] and [secret] reach the policy as unknown values that throw when read, as during preview", () => {
        const args = resourceValidationArgs(thing, {});
        assert.strictEqual(args.props.name, "one");
        assert.throws(() => args.props.size, /can't be known during preview/);
        assert.throws(() => args.props.label, /can't be known during preview/);
    });

    it("a rule that reads an unknown value unguarded is skipped, not a violation", async () => {
        const careless = resourceRule({
            name: "test-careless",
            description: "Reads size without checking.",
            enforcementLevel: "mandatory",
            category: "sizing",
            type: resourceType<{ size?: number }>("test:index:Thing"),
            validate: (props, { report }) => {
                if ((props.size ?? 0) > 1) {
                    report("too big");
                }
            },
        });
        const outcome = await runResourcePolicy(careless, thing, {});
        assert.deepStrictEqual(outcome.violations, []);
        assert.match(outcome.unknown ?? "", /can't run policy 'test-careless' during preview/);
    });

    it("getConfig returns the policy's settings", () =>
        assert.deepStrictEqual(resourceValidationArgs(thing, { minDays: 7 }).getConfig(), { minDays: 7 }));

    it("stack validation resolves parent and dependencies to resources and drops unknown URNs", async () => {
        await runStackPolicy(stackRecorder, [provider, parent, thing], {});
        const resolved = seen.stack!.resources.find((r) => r.name === "thing-one") as PolicyResource;
        assert.strictEqual(resolved.parent?.urn, parent.urn);
        assert.deepStrictEqual(
            resolved.dependencies.map((d) => d.urn),
            [parent.urn],
        );
        assert.strictEqual(seen.stack!.stackTags.size, 0);
    });

    it("a typed rule is not applicable to other types, without being called", async () => {
        seen.resource = undefined;
        const outcome = await runResourcePolicy(recorder, analyzed({ type: "test:index:Other", props: {} }), {});
        assert.match(outcome.notApplicable ?? "", /test:index:Thing/);
        assert.strictEqual(seen.resource, undefined);
    });

    it("the same args also answer isType and asType", () => {
        const args = stackValidationArgs([thing], {}).resources[0];
        const thingClass = resourceType("test:index:Thing");
        assert.ok(args.isType(thingClass as never));
        assert.ok(args.asType(thingClass as never));
    });
});
