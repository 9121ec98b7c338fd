import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { accountId } from "../../automation/plan/mocks";
import { Resources, type RecordedResource } from "../support/harness";
import { evaluated } from "../support/plans";

const T = {
    role: "aws:iam/role:Role",
    user: "aws:iam/user:User",
    cluster: "aws:eks/cluster:Cluster",
    association: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    addon: "aws:eks/addon:Addon",
};
const inputs = (r: RecordedResource) => r.inputs as Record<string, any>;
const ROOT = path.resolve(__dirname, "..", "..");
const trustOf = (role: RecordedResource) => JSON.parse(inputs(role).assumeRolePolicy) as { Statement: any[] };
/** Every value a condition block holds for `key`, whatever its operator. */
const conditionValues = (statement: any, key: string): unknown[] =>
    Object.values((statement.Condition ?? {}) as Record<string, Record<string, unknown>>).flatMap((block) =>
        key in block ? [block[key]].flat() : [],
    );
const serviceOf = (statement: any): string[] => [statement.Principal?.Service ?? []].flat();

for (const stack of ["staging", "production"] as const) {
    describe(`${stack} stack: least privilege`, () => {
        let res: Resources;
        before(async () => {
            res = new Resources((await evaluated(stack)).resources);
        });

        describe("trust policies", () => {
            it("condition every service principal on the stack's account (the confused-deputy guard)", () => {
                const trusting = res.ofType(T.role).filter((r) => trustOf(r).Statement.some((s) => serviceOf(s).length > 0));
                assert.ok(trusting.length >= 10, `roles trusting a service: ${trusting.length}`);
                for (const role of trusting) {
                    for (const statement of trustOf(role).Statement.filter((s) => serviceOf(s).length > 0)) {
                        assert.deepEqual(
                            conditionValues(statement, "aws:SourceAccount"),
                            [accountId],
                            `${role.name}: ${JSON.stringify(statement)}`,
                        );
                    }
                }
            });

            it("bind each EKS cluster role to its own cluster's ARN, with the keys required (EKS documents them)", () => {
                for (const cluster of res.ofType(T.cluster)) {
                    const role = res.ofType(T.role).find((r) => inputs(cluster).roleArn.endsWith(`/${r.id}`))!;
                    const [statement] = trustOf(role).Statement;
                    const region = cluster.name.match(/^eu-(central|west)-1/)![0];
                    assert.deepEqual(statement.Condition, {
                        StringEquals: { "aws:SourceAccount": accountId },
                        ArnLike: { "aws:SourceArn": `arn:aws:eks:${region}:${accountId}:cluster/${inputs(cluster).name}` },
                    });
                }
            });

            it("bind each Pod Identity role to its association's cluster, namespace and service account, in AWS's form", () => {
                const associations = res.ofType(T.association);
                assert.ok(associations.length >= 8, `associations: ${associations.length}`);
                for (const association of associations) {
                    const a = inputs(association);
                    const role = res.ofType(T.role).find((r) => a.roleArn.endsWith(`/${r.id}`))!;
                    const [statement] = trustOf(role).Statement;
                    assert.deepEqual(statement.Principal, { Service: "pods.eks.amazonaws.com" });
                    assert.deepEqual(statement.Action, ["sts:AssumeRole", "sts:TagSession"]);
                    const region = association.name.match(/^eu-(central|west)-1/)![0];
                    assert.deepEqual(statement.Condition.StringEquals, {
                        "aws:RequestTag/eks-cluster-arn": `arn:aws:eks:${region}:${accountId}:cluster/${a.clusterName}`,
                        "aws:RequestTag/kubernetes-namespace": a.namespace,
                        "aws:RequestTag/kubernetes-service-account": a.serviceAccount,
                    });
                }
            });
        });

        describe("permissions boundaries", () => {
            it("put every IAM role and user of the plan under exactly the configured boundary", () => {
                const configured = yaml.load(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as any;
                const boundary = configured.config["saleor:cluster"].aws.permissionsBoundaryArn;
                assert.equal(boundary, `arn:aws:iam::${accountId}:policy/saleor-bootstrap/saleor-${stack}-workload-boundary`);
                const identities = [...res.ofType(T.role), ...res.ofType(T.user)];
                assert.ok(identities.length >= 20, `roles and users: ${identities.length}`);
                const unbounded = identities
                    .filter((r) => inputs(r).permissionsBoundary !== boundary)
                    .map((r) => `${r.type.split(":").pop()} ${r.name}: ${inputs(r).permissionsBoundary ?? "no boundary"}`);
                assert.deepEqual(unbounded, [], `give these the stack's permissions boundary (cluster.aws.permissionsBoundaryArn)`);
            });

            it("tag every IAM role and user for the stack's environment, which the deploy role needs to change their trust or keys", () => {
                // The resource's own tags, over its provider's default tags (as the provider merges them).
                const tagsOf = (r: RecordedResource) => {
                    const provider = res.all.find((p) => `${p.urn}::${p.id}` === r.provider);
                    return { ...(provider?.inputs as any)?.defaultTags?.tags, ...inputs(r).tags };
                };
                const untagged = [...res.ofType(T.role), ...res.ofType(T.user)]
                    .filter((r) => tagsOf(r)["saleor:environment"] !== stack)
                    .map((r) => r.name);
                assert.deepEqual(untagged, []);
            });
        });

        describe("the VPC CNI", () => {
            const policiesOf = (role: RecordedResource) =>
                res
                    .ofType(T.attachment)
                    .filter((a) => inputs(a).role === role.id)
                    .map((a) => inputs(a).policyArn as string)
                    .sort();

            it("runs with a Pod Identity role of its own that holds AmazonEKS_CNI_Policy", () => {
                const cnis = res.ofType(T.addon).filter((a) => inputs(a).addonName === "vpc-cni");
                assert.equal(cnis.length, 2);
                for (const cni of cnis) {
                    const [binding, ...more] = inputs(cni).podIdentityAssociations ?? [];
                    assert.equal(more.length, 0);
                    assert.equal(binding?.serviceAccount, "aws-node");
                    const role = res.ofType(T.role).find((r) => binding.roleArn.endsWith(`/${r.id}`))!;
                    assert.deepEqual(policiesOf(role), ["arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"]);
                    const [statement] = trustOf(role).Statement;
                    assert.equal(statement.Condition.StringEquals["aws:RequestTag/kubernetes-namespace"], "kube-system");
                    assert.equal(statement.Condition.StringEquals["aws:RequestTag/kubernetes-service-account"], "aws-node");
                    const attachment = res.ofType(T.attachment).find((a) => inputs(a).role === role.id)!;
                    assert.ok(cni.dependencies.includes(attachment.urn), "the add-on waits for its role's policy");
                }
            });

            it("leaves its policy off the node role, which every pod on a node could reach", () => {
                const nodeRoles = res
                    .ofType("aws:eks/nodeGroup:NodeGroup")
                    .map((g) => res.ofType(T.role).find((r) => inputs(g).nodeRoleArn.endsWith(`/${r.id}`))!);
                assert.ok(nodeRoles.length >= 2);
                for (const role of nodeRoles) {
                    assert.deepEqual(policiesOf(role), [
                        "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
                        "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
                    ]);
                }
            });
        });

        describe("cluster access", () => {
            it("gives the cluster creator no admin of EKS's making, and never replaces a cluster to take it away", () => {
                const clusters = res.ofType(T.cluster);
                assert.equal(clusters.length, 2);
                for (const cluster of clusters) {
                    assert.deepEqual(inputs(cluster).accessConfig, {
                        authenticationMode: "API",
                        bootstrapClusterCreatorAdminPermissions: false,
                    });
                    assert.ok(cluster.ignoreChanges.includes("accessConfig.bootstrapClusterCreatorAdminPermissions"), cluster.name);
                }
            });

            it("makes the stack's deploy role cluster admin through an access entry of its own, once per cluster", () => {
                const deployRole = `arn:aws:iam::${accountId}:role/saleor-deploy-${stack}`;
                for (const cluster of res.ofType(T.cluster)) {
                    const name = inputs(cluster).name;
                    const entries = res
                        .ofType("aws:eks/accessEntry:AccessEntry")
                        .filter((e) => inputs(e).clusterName === name && inputs(e).principalArn === deployRole);
                    assert.equal(entries.length, 1, name);
                    const admin = res
                        .ofType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
                        .filter((a) => inputs(a).clusterName === name && inputs(a).principalArn === deployRole);
                    assert.deepEqual(
                        admin.map((a) => inputs(a).policyArn),
                        ["arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"],
                    );
                }
            });
        });
    });
}
