// Input paths whose change forces the engine to replace a resource (create a new one and delete
// the old one) instead of updating it in place, per resource type this program registers.
//
// Where the answer comes from, per group (every group says which):
//  - "typings": the installed @pulumi/aws .d.ts doc comment says so (checked by
//    tests/automation/diff.spec.ts against node_modules). The AWS typings rarely say it: of the ~40
//    AWS types this program uses, only security groups, ElastiCache replication groups and EKS
//    clusters carry such a sentence.
//  - "provider-schema": the bridged provider's upstream schema, hashicorp/terraform-provider-aws
//    `internal/service/<service>/<resource>.go`, attributes with `ForceNew: true` (Pulumi's AWS
//    provider is bridged from it: the engine asks the provider, and the provider answers from that
//    schema). rds/instance.go and s3/bucket.go were read for this table; the other groups are
//    from the same schema as documented ("Forces new resource") and not re-read here. The test
//    checks that every listed property exists in the installed typings, so a rename is caught.
//  - "kubernetes-provider": pulumi/pulumi-kubernetes `provider/pkg/provider/diff.go`
//    (`forceNewProperties`): `.metadata.name` and `.metadata.namespace` for every kind, plus the
//    per-kind list copied below.
//  - "inferred": no published list; the reasoning is in the comment.
//
// Not modelled: the `replaceOnChanges` resource option (the plan does not record it), and
// replacements a provider decides at run time from live state (e.g. RDS engine downgrades).

export type ReplaceFieldSource = "typings" | "provider-schema" | "kubernetes-provider" | "inferred";

export interface ReplaceFieldGroup {
    readonly types: readonly string[];
    /** Input paths: `a.b`, `a[*].b` for any list element. */
    readonly fields: readonly string[];
    readonly source: ReplaceFieldSource;
    /** Where it is written. */
    readonly cite: string;
    /** For "typings" groups: the text the .d.ts says about the field (checked by the tests). */
    readonly documented?: string;
    /** The group applies only when this returns true for the resource's provider inputs. */
    readonly unless?: (providerInputs: Record<string, unknown>) => boolean;
}

const tf = (file: string) => `hashicorp/terraform-provider-aws internal/service/${file} (ForceNew: true)`;
const k8s = "pulumi/pulumi-kubernetes provider/pkg/provider/diff.go forceNewProperties";

const s3BucketChildren = [
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
];

const kubernetesKinds = [
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
    "kubernetes:batch/v1:Job",
    "kubernetes:core/v1:ConfigMap",
    "kubernetes:core/v1:Secret",
    "kubernetes:core/v1:Service",
    "kubernetes:core/v1:ServiceAccount",
    "kubernetes:core/v1:Namespace",
    "kubernetes:core/v1:PersistentVolumeClaim",
    "kubernetes:networking.k8s.io/v1:Ingress",
    "kubernetes:policy/v1:PodDisruptionBudget",
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    "kubernetes:storage.k8s.io/v1:StorageClass",
    "kubernetes:networking.k8s.io/v1:NetworkPolicy",
];
const labelSelector = (prefix: string) => [prefix, `${prefix}.matchExpressions`, `${prefix}.matchLabels`];

export const REPLACE_FIELDS: readonly ReplaceFieldGroup[] = [
    // ---- AWS, from the installed typings ---------------------------------------------------
    {
        types: ["aws:ec2/securityGroup:SecurityGroup"],
        fields: ["name"],
        source: "typings",
        cite: '@pulumi/aws ec2/securityGroup.d.ts (class doc: "Recreating a Security Group")',
        documented: 'security group `name` change "forces new" the security group',
    },
    {
        types: ["aws:secretsmanager/secret:Secret"],
        source: "provider-schema",
        cite: tf("secretsmanager/secret.go (name, name_prefix; not re-read here)"),
        fields: ["name", "namePrefix"],
    },
    {
        types: ["aws:elasticache/replicationGroup:ReplicationGroup"],
        fields: ["snapshotName"],
        source: "typings",
        cite: "@pulumi/aws elasticache/replicationGroup.d.ts snapshotName",
        documented: "Changing the `snapshotName` forces a new resource",
    },
    {
        types: ["aws:eks/cluster:Cluster"],
        fields: ["bootstrapSelfManagedAddons"],
        source: "typings",
        cite: "@pulumi/aws eks/cluster.d.ts bootstrapSelfManagedAddons",
        documented: "Changing this value will force a new cluster to be created",
    },
    // ---- AWS, from the provider schema -----------------------------------------------------
    {
        types: ["aws:rds/instance:Instance"],
        source: "provider-schema",
        cite: tf("rds/instance.go (read at 00e4b23)"),
        fields: [
            "identifier",
            "identifierPrefix",
            "storageEncrypted",
            "kmsKeyId",
            "engine",
            "dbName",
            "username",
            "availabilityZone",
            "characterSetName",
            "ncharCharacterSetName",
            "timezone",
            "snapshotIdentifier",
            "restoreToPointInTime",
            "customIamInstanceProfile",
        ],
    },
    {
        types: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
        source: "provider-schema",
        cite: tf("s3/bucket.go (bucket, bucket_prefix read at 0070bcd)"),
        fields: ["bucket", "bucketPrefix", "objectLockEnabled"],
    },
    { types: s3BucketChildren, fields: ["bucket"], source: "provider-schema", cite: tf("s3/bucket_*.go") },
    {
        types: [
            "aws:s3/bucketVersioning:BucketVersioning",
            "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration",
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        ],
        fields: ["expectedBucketOwner"],
        source: "provider-schema",
        cite: tf("s3/bucket_*_configuration.go"),
    },
    {
        types: ["aws:elasticache/replicationGroup:ReplicationGroup"],
        source: "provider-schema",
        cite: tf("elasticache/replication_group.go"),
        fields: ["replicationGroupId", "snapshotArns", "subnetGroupName", "atRestEncryptionEnabled", "kmsKeyId", "port"],
    },
    {
        types: ["aws:eks/cluster:Cluster"],
        source: "provider-schema",
        cite: tf("eks/cluster.go"),
        fields: [
            "name",
            "roleArn",
            "kubernetesNetworkConfig.serviceIpv4Cidr",
            "kubernetesNetworkConfig.ipFamily",
            "accessConfig.bootstrapClusterCreatorAdminPermissions",
        ],
    },
    {
        types: ["aws:eks/nodeGroup:NodeGroup"],
        source: "provider-schema",
        cite: tf("eks/node_group.go"),
        fields: [
            "clusterName",
            "nodeGroupName",
            "nodeGroupNamePrefix",
            "nodeRoleArn",
            "subnetIds",
            "amiType",
            "capacityType",
            "diskSize",
            "instanceTypes",
            "remoteAccess",
            "launchTemplate.id",
            "launchTemplate.name",
        ],
    },
    { types: ["aws:eks/addon:Addon"], fields: ["clusterName", "addonName"], source: "provider-schema", cite: tf("eks/addon.go") },
    {
        types: ["aws:eks/podIdentityAssociation:PodIdentityAssociation"],
        fields: ["clusterName", "namespace", "serviceAccount"],
        source: "provider-schema",
        cite: tf("eks/pod_identity_association.go"),
    },
    {
        types: ["aws:ec2/vpc:Vpc"],
        fields: ["cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength"],
        source: "provider-schema",
        cite: tf("ec2/vpc_.go"),
    },
    {
        types: ["aws:ec2/subnet:Subnet"],
        fields: ["vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId"],
        source: "provider-schema",
        cite: tf("ec2/vpc_subnet.go"),
    },
    {
        types: ["aws:ec2/securityGroup:SecurityGroup"],
        fields: ["namePrefix", "description", "vpcId"],
        source: "provider-schema",
        cite: tf("ec2/vpc_security_group.go"),
    },
    {
        types: ["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"],
        fields: ["securityGroupId"],
        source: "provider-schema",
        cite: tf("vpc/security_group_ingress_rule.go (RequiresReplace)"),
    },
    {
        types: ["aws:ec2/natGateway:NatGateway"],
        fields: ["allocationId", "subnetId", "connectivityType"],
        source: "provider-schema",
        cite: tf("ec2/vpc_nat_gateway.go"),
    },
    { types: ["aws:ec2/routeTable:RouteTable"], fields: ["vpcId"], source: "provider-schema", cite: tf("ec2/vpc_route_table.go") },
    {
        types: ["aws:ec2/route:Route"],
        fields: ["routeTableId", "destinationCidrBlock"],
        source: "provider-schema",
        cite: tf("ec2/vpc_route.go"),
    },
    {
        types: ["aws:ec2/routeTableAssociation:RouteTableAssociation"],
        fields: ["subnetId", "gatewayId"],
        source: "provider-schema",
        cite: tf("ec2/vpc_route_table_association.go"),
    },
    {
        types: ["aws:ec2/launchTemplate:LaunchTemplate"],
        fields: ["name", "namePrefix"],
        source: "provider-schema",
        cite: tf("ec2/ec2_launch_template.go"),
    },
    {
        types: ["aws:ec2/vpcPeeringConnection:VpcPeeringConnection"],
        fields: ["vpcId", "peerVpcId", "peerOwnerId", "peerRegion"],
        source: "provider-schema",
        cite: tf("ec2/vpc_peering_connection.go"),
    },
    {
        types: ["aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter"],
        fields: ["vpcPeeringConnectionId"],
        source: "provider-schema",
        cite: tf("ec2/vpc_peering_connection_accepter.go"),
    },
    {
        types: ["aws:kms/key:Key"],
        fields: ["keyUsage", "customerMasterKeySpec", "multiRegion", "customKeyStoreId", "xksKeyId"],
        source: "provider-schema",
        cite: tf("kms/key.go"),
    },
    {
        types: ["aws:ecr/repository:Repository"],
        fields: ["name", "encryptionConfigurations"],
        source: "provider-schema",
        cite: tf("ecr/repository.go"),
    },
    {
        types: ["aws:ecr/lifecyclePolicy:LifecyclePolicy"],
        fields: ["repository"],
        source: "provider-schema",
        cite: tf("ecr/lifecycle_policy.go"),
    },
    { types: ["aws:iam/role:Role"], fields: ["name", "namePrefix", "path"], source: "provider-schema", cite: tf("iam/role.go") },
    {
        types: ["aws:iam/rolePolicy:RolePolicy"],
        fields: ["name", "namePrefix", "role"],
        source: "provider-schema",
        cite: tf("iam/role_policy.go"),
    },
    {
        types: ["aws:iam/rolePolicyAttachment:RolePolicyAttachment"],
        fields: ["role", "policyArn"],
        source: "provider-schema",
        cite: tf("iam/role_policy_attachment.go"),
    },
    { types: ["aws:cloudwatch/logGroup:LogGroup"], fields: ["name", "namePrefix"], source: "provider-schema", cite: tf("logs/group.go") },
    {
        types: ["aws:rds/subnetGroup:SubnetGroup"],
        fields: ["name", "namePrefix"],
        source: "provider-schema",
        cite: tf("rds/subnet_group.go"),
    },
    {
        types: ["aws:rds/parameterGroup:ParameterGroup"],
        fields: ["name", "namePrefix", "family"],
        source: "provider-schema",
        cite: tf("rds/parameter_group.go"),
    },
    {
        types: ["aws:elasticache/subnetGroup:SubnetGroup"],
        fields: ["name"],
        source: "provider-schema",
        cite: tf("elasticache/subnet_group.go"),
    },
    { types: ["aws:backup/vault:Vault"], fields: ["name", "kmsKeyArn"], source: "provider-schema", cite: tf("backup/vault.go") },
    {
        types: ["aws:acm/certificate:Certificate"],
        fields: ["domainName", "subjectAlternativeNames", "validationMethod", "keyAlgorithm"],
        source: "provider-schema",
        cite: tf("acm/certificate.go"),
    },
    // aws_acm_certificate_validation has no Update.
    {
        types: ["aws:acm/certificateValidation:CertificateValidation"],
        fields: ["certificateArn", "validationRecordFqdns"],
        source: "provider-schema",
        cite: tf("acm/certificate_validation.go"),
    },
    { types: ["aws:route53/record:Record"], fields: ["zoneId", "name", "type"], source: "provider-schema", cite: tf("route53/record.go") },
    {
        types: ["aws:sns/topicSubscription:TopicSubscription"],
        fields: ["topic", "protocol", "endpoint"],
        source: "provider-schema",
        cite: tf("sns/topic_subscription.go"),
    },
    { types: ["aws:wafv2/webAcl:WebAcl"], fields: ["name", "scope"], source: "provider-schema", cite: tf("wafv2/web_acl.go") },
    // aws_backup_selection has no Update: every argument forces a new selection.
    {
        types: ["aws:backup/selection:Selection"],
        fields: ["name", "planId", "iamRoleArn", "resources", "notResources", "selectionTags", "conditions"],
        source: "provider-schema",
        cite: tf("backup/selection.go"),
    },
    // ---- random / tls: the providers have no Update for these resources -------------------
    {
        types: ["random:index/randomPassword:RandomPassword"],
        source: "provider-schema",
        cite: "hashicorp/terraform-provider-random internal/provider/resource_password.go (every attribute RequiresReplace)",
        fields: [
            "length",
            "special",
            "upper",
            "lower",
            "numeric",
            // The deprecated spelling of numeric, still an argument of the resource.
            "number",
            "minLower",
            "minUpper",
            "minNumeric",
            "minSpecial",
            "overrideSpecial",
            "keepers",
        ],
    },
    {
        types: ["tls:index/privateKey:PrivateKey"],
        source: "provider-schema",
        cite: "hashicorp/terraform-provider-tls internal/provider/resource_private_key.go (RequiresReplace)",
        fields: ["algorithm", "rsaBits", "ecdsaCurve"],
    },
    // ---- Kubernetes --------------------------------------------------------------------------
    {
        types: kubernetesKinds,
        fields: ["metadata.name", "metadata.namespace"],
        source: "kubernetes-provider",
        cite: `${k8s} (metadataForceNewProperties)`,
    },
    {
        types: ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:DaemonSet"],
        fields: labelSelector("spec.selector"),
        source: "kubernetes-provider",
        cite: `${k8s} (deployment, daemonset)`,
    },
    {
        types: ["kubernetes:apps/v1:StatefulSet"],
        source: "kubernetes-provider",
        cite: `${k8s} (statefulSet)`,
        fields: [
            "spec.podManagementPolicy",
            "spec.revisionHistoryLimit",
            "spec.serviceName",
            "spec.volumeClaimTemplates",
            ...labelSelector("spec.selector"),
        ],
    },
    {
        types: ["kubernetes:batch/v1:Job"],
        source: "kubernetes-provider",
        cite: `${k8s} (job)`,
        fields: ["spec.completions", "spec.parallelism", "spec.template", ...labelSelector("spec.selector")],
    },
    // The whole spec: the provider lists `.spec` itself (storageClassName, accessModes, resources, ...).
    {
        types: ["kubernetes:core/v1:PersistentVolumeClaim"],
        fields: ["spec"],
        source: "kubernetes-provider",
        cite: `${k8s} (PersistentVolumeClaim)`,
    },
    // Only the cluster IP; a changed `spec.type` is patched in place.
    { types: ["kubernetes:core/v1:Service"], fields: ["spec.clusterIP"], source: "kubernetes-provider", cite: `${k8s} (Service)` },
    {
        types: ["kubernetes:storage.k8s.io/v1:StorageClass"],
        fields: ["parameters", "provisioner"],
        source: "kubernetes-provider",
        cite: `${k8s} (StorageClass)`,
    },
    // ConfigMaps and Secrets are replaced on a data change unless the provider makes them mutable
    // (`enableConfigMapMutable` / `enableSecretMutable`, @pulumi/kubernetes provider.d.ts).
    {
        types: ["kubernetes:core/v1:ConfigMap"],
        fields: ["data", "binaryData"],
        source: "kubernetes-provider",
        cite: `${k8s} (ConfigMap)`,
        unless: (p) => p.enableConfigMapMutable === true || p.enableConfigMapMutable === "true",
    },
    {
        types: ["kubernetes:core/v1:Secret"],
        fields: ["type", "stringData", "data"],
        source: "kubernetes-provider",
        cite: `${k8s} (Secret)`,
        unless: (p) => p.enableSecretMutable === true || p.enableSecretMutable === "true",
    },
    // policy/v1 PodDisruptionBudgets are updated in place: the provider lists `.spec` only for policy/v1beta1.
    // A Helm release is identified by its name and namespace: a new one is a new release (inferred;
    // the provider's Release resource has no published force-new list).
    {
        types: ["kubernetes:helm.sh/v3:Release"],
        fields: ["name", "namespace"],
        source: "inferred",
        cite: "Helm identifies a release by name and namespace",
    },
];

const byType = new Map<string, ReplaceFieldGroup[]>();
for (const g of REPLACE_FIELDS) for (const t of g.types) byType.set(t, [...(byType.get(t) ?? []), g]);

/** The input paths that force replacement for a type (given its provider's inputs, where that matters). */
export function replaceFieldsFor(type: string, providerInputs: Record<string, unknown> = {}): string[] {
    const groups = (byType.get(type) ?? []).filter((g) => !g.unless?.(providerInputs));
    return [...new Set(groups.flatMap((g) => g.fields))];
}

/** The replace fields that a set of changed paths touches (a change at, inside or above the field). */
export function replaceFieldsHit(type: string, changedPaths: readonly string[], providerInputs: Record<string, unknown> = {}): string[] {
    const hit: string[] = [];
    for (const field of replaceFieldsFor(type, providerInputs)) {
        if (changedPaths.some((p) => pathTouches(p, field))) hit.push(field);
    }
    return hit;
}

/** Whether a changed path `p` changes field `f`: p is f, lies inside f, or contains f. */
export function pathTouches(p: string, f: string): boolean {
    const inside = (child: string, parent: string): boolean => {
        const re = new RegExp(`^${parent.split("[*]").map(escape).join("\\[\\d+\\]")}(?=$|\\.|\\[)`);
        return re.test(child);
    };
    if (inside(p, f)) return true;
    // p above f: f (with concrete indices in place of [*]) starts with p.
    const concrete = f.replace(/\[\*\]/g, "[0]");
    return concrete === p || concrete.startsWith(`${p}.`) || concrete.startsWith(`${p}[`);
}

function escape(s: string): string {
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
