import assert from "node:assert/strict";
import * as path from "path";
import { validateStackConfig, type StackConfig } from "../../config";
import { projectRoot } from "../../automation/plan/evaluate";
import { projectName, readStackFile } from "../../automation/plan/stack-file";
import { Resources, type RecordedResource } from "../support/harness";
import { evaluated } from "../support/plans";

/** The stack's validated config (defaults merged), as the program receives it. */
function stackConfig(stack: string): StackConfig {
    const file = readStackFile(path.join(projectRoot, `Pulumi.${stack}.yaml`), projectName(projectRoot));
    const result = validateStackConfig(file.source);
    if ("problems" in result) throw new Error(result.problems.join("\n"));
    return result.config;
}

const inputs = (r: RecordedResource) => r.inputs as Record<string, any>;
const autoscalers = (res: Resources) => res.ofType("kubernetes:helm.sh/v3:Release").filter((r) => inputs(r).chart === "cluster-autoscaler");
const autoscalerAssociations = (res: Resources) =>
    res.ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation").filter((a) => inputs(a).serviceAccount === "cluster-autoscaler");
/** Each region's EKS cluster name, by region (resources of a region are named after it). */
const clusterNames = (res: Resources) =>
    Object.fromEntries(
        res.ofType("aws:eks/cluster:Cluster").map((c) => [c.name.match(/^eu-(central|west)-1/)![0], inputs(c).name as string]),
    );

for (const stack of ["staging", "production"] as const) {
    describe(`${stack} stack: node autoscaling`, () => {
        let res: Resources;
        let config: StackConfig;
        before(async () => {
            res = new Resources((await evaluated(stack)).resources);
            config = stackConfig(stack);
        });

        it("binds the cluster autoscaler's service account in kube-system through Pod Identity in each region, to that region's cluster", () => {
            const names = clusterNames(res);
            assert.deepEqual(Object.keys(names).sort(), ["eu-central-1", "eu-west-1"]);
            const associations = autoscalerAssociations(res);
            assert.deepEqual(associations.map((a) => inputs(a).clusterName).sort(), Object.values(names).sort());
            for (const a of associations) assert.equal(inputs(a).namespace, "kube-system", a.name);
        });

        it("lets each region's autoscaler change only Auto Scaling groups its own cluster owns", () => {
            const names = clusterNames(res);
            for (const a of autoscalerAssociations(res)) {
                const role = res.ofType("aws:iam/role:Role").find((r) => inputs(a).roleArn.endsWith(`/${r.id}`))!;
                const policy = res.ofType("aws:iam/rolePolicy:RolePolicy").find((p) => inputs(p).role === role.id)!;
                const statements: { Action: string | string[]; Condition?: unknown }[] = JSON.parse(inputs(policy).policy).Statement;
                const writes = statements.filter((s) =>
                    [s.Action]
                        .flat()
                        .some((x) => x === "autoscaling:SetDesiredCapacity" || x === "autoscaling:TerminateInstanceInAutoScalingGroup"),
                );
                assert.ok(writes.length > 0, a.name);
                const cluster = inputs(a).clusterName;
                assert.ok(Object.values(names).includes(cluster));
                for (const s of writes)
                    assert.deepEqual(
                        s.Condition,
                        { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${cluster}`]: "owned" } },
                        a.name,
                    );
            }
        });

        it("runs one autoscaler per region that discovers that region's node groups, is told its region and starts after them", () => {
            const names = clusterNames(res);
            const releases = autoscalers(res);
            assert.deepEqual(releases.map((r) => r.name).sort(), ["eu-central-1-cluster-autoscaler", "eu-west-1-cluster-autoscaler"]);
            for (const release of releases) {
                const region = release.name.match(/^eu-(central|west)-1/)![0];
                assert.equal(inputs(release).values.autoDiscovery.clusterName, names[region]);
                assert.equal(inputs(release).values.awsRegion, region);
                const groups = res.ofType("aws:eks/nodeGroup:NodeGroup").filter((g) => g.name.startsWith(`${region}-`));
                assert.ok(groups.length > 0);
                for (const g of groups) assert.ok(release.dependencies.includes(g.urn), `${release.name} waits for ${g.name}`);
            }
        });

        it("gives every node group the minSize and maxSize of the stack's config, within which the autoscaler moves", () => {
            const expected = config.cluster.aws!.nodeGroups;
            for (const region of config.regions) {
                for (const g of expected) {
                    const group = res.one("aws:eks/nodeGroup:NodeGroup", `${region.name}-ng-${g.name}`);
                    const scaling = inputs(group).scalingConfig;
                    assert.equal(scaling.minSize, g.minSize, `${group.name} minSize`);
                    assert.equal(scaling.maxSize, g.maxSize, `${group.name} maxSize`);
                }
                const all = res.ofType("aws:eks/nodeGroup:NodeGroup").filter((n) => n.name.startsWith(`${region.name}-`));
                assert.equal(all.length, expected.length, `${region.name}: one node group per configured group`);
            }
        });
    });
}

describe("dev stack: node autoscaling", () => {
    it("installs no cluster autoscaler and binds no role on the existing cluster", async () => {
        const res = new Resources((await evaluated("dev")).resources);
        assert.deepEqual(
            autoscalers(res).map((r) => r.name),
            [],
        );
        assert.deepEqual(
            autoscalerAssociations(res).map((a) => a.name),
            [],
        );
    });
});
