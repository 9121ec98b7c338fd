import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";

/**
 * The fake cloud of the offline plan: the ids, ARNs, endpoints and other values AWS, Kubernetes and
 * the other providers would compute, per resource type and invoke. The runtime side (how
 * registrations reach these mocks and are recorded) is recording-monitor.ts.
 */

export const accountId = "123456789012";
/** The role an offline plan of `stack` deploys as: the bootstrap's deploy role of that environment, as in CI. */
export const deployRoleArnOf = (stack: string): string => `arn:aws:iam::${accountId}:role/saleor-deploy-${stack}`;
/** The bootstrap's workload boundary of `stack`'s environment, as the stacks' config names it. */
export const permissionsBoundaryArnOf = (stack: string): string =>
    `arn:aws:iam::${accountId}:policy/saleor-bootstrap/saleor-${stack}-workload-boundary`;
/** The session ARN STS reports for a deploy of `stack` from GitHub Actions. */
const deploySessionArn = (stack: string): string => `arn:aws:sts::${accountId}:assumed-role/saleor-deploy-${stack}/github-actions`;

const short = (s: string, n = 8) => createHash("sha256").update(s).digest("hex").slice(0, n);

/**
 * Values a cloud would have computed, plausible enough that every output and every derived input
 * (URLs, ARNs, kubeconfigs) is complete. Deterministic: the same program gives the same plan.
 */
export class PlanMocks implements pulumi.runtime.Mocks {
    /** AWS region of each provider reference seen so far. */
    private readonly providerRegions = new Map<string, string>();
    /** The EKS cluster (name, region) behind each Kubernetes provider reference seen so far. */
    private readonly providerClusters = new Map<string, { name: string; region: string }>();

    /** `stack`: the stack deployed, when the SDK runtime of this process is not the program's (tests/support/engine.ts). */
    constructor(private readonly stack?: string) {}

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, any> } {
        const inputs = args.inputs ?? {};
        const region = this.regionOf(args.provider, inputs);
        const h = short(`${args.type}::${args.name}`);
        const state: Record<string, any> = { ...inputs };
        let id = `${args.name}-${h}`;

        if (args.type === "pulumi:providers:aws") {
            id = `${h}-provider`;
        } else if (args.type.startsWith("pulumi:providers:")) {
            id = `${h}-provider`;
        } else if (args.type.startsWith("kubernetes:")) {
            const meta = { ...(inputs.metadata ?? {}) };
            // The engine auto-names objects without a name: logical name plus a random suffix.
            meta.name ??= `${args.name}-${h}`;
            state.metadata = meta;
            id = meta.namespace ? `${meta.namespace}/${meta.name}` : meta.name;
            // A ClusterIP Service gets its virtual IP from the cluster's service range (kind's is 10.96.0.0/16).
            if (
                args.type === "kubernetes:core/v1:Service" &&
                (inputs.spec?.type ?? "ClusterIP") === "ClusterIP" &&
                !inputs.spec?.clusterIP
            ) {
                const n = parseInt(h.slice(0, 4), 16);
                state.spec = { ...inputs.spec, clusterIP: `10.96.${(n >> 8) & 255}.${n & 255 || 1}` };
            }
            const albGroup = inputs.metadata?.annotations?.["alb.ingress.kubernetes.io/group.name"];
            const cluster = args.provider ? this.providerClusters.get(args.provider) : undefined;
            if (args.type === "kubernetes:networking.k8s.io/v1:Ingress" && typeof albGroup === "string" && cluster) {
                // The AWS Load Balancer Controller writes its ALB's DNS name into the status of every
                // Ingress of the group: the load balancer the group's tags find (ingressLoadBalancer).
                const tags = { "ingress.k8s.aws/stack": albGroup, "elbv2.k8s.aws/cluster": cluster.name };
                state.status = { loadBalancer: { ingress: [{ hostname: ingressLoadBalancer(cluster.region, { tags }).dnsName }] } };
            }
        } else if (args.type === "random:index/randomPassword:RandomPassword") {
            state.result = createHash("sha256")
                .update(args.name)
                .digest("base64")
                .replace(/[^A-Za-z0-9]/g, "")
                .slice(0, inputs.length ?? 32);
        } else if (args.type === "tls:index/privateKey:PrivateKey") {
            state.privateKeyPem = `-----BEGIN RSA PRIVATE KEY-----\nMOCK${h}\n-----END RSA PRIVATE KEY-----\n`;
            state.publicKeyPem = `-----BEGIN PUBLIC KEY-----\nMOCK${h}\n-----END PUBLIC KEY-----\n`;
        } else if (args.type === "tls:index/certRequest:CertRequest") {
            state.certRequestPem = `-----BEGIN CERTIFICATE REQUEST-----\nMOCK${h}\n-----END CERTIFICATE REQUEST-----\n`;
        } else if (
            args.type === "tls:index/selfSignedCert:SelfSignedCert" ||
            args.type === "tls:index/locallySignedCert:LocallySignedCert"
        ) {
            state.certPem = `-----BEGIN CERTIFICATE-----\nMOCK${h}\n-----END CERTIFICATE-----\n`;
        } else if (args.type === "docker:index/image:Image") {
            const name = String(inputs.imageName ?? args.name);
            state.repoDigest = `${name.replace(/:[^:/]+$/, "")}@sha256:${short(name, 64)}`;
        } else if (args.type.startsWith("aws:")) {
            Object.assign(state, autoNames(args.type, args.name, h, inputs));
            id = awsId(args.type, args.name, h, state);
            Object.assign(state, awsState(args.type, args.name, id, h, region, state));
        }
        return { id, state };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        const region = this.regionOf(args.provider, args.inputs ?? {});
        switch (args.token) {
            case "aws:index/getAvailabilityZones:getAvailabilityZones":
                return {
                    names: ["a", "b", "c"].map((z) => `${region}${z}`),
                    zoneIds: [1, 2, 3].map((n) => `${region.slice(0, 3)}1-az${n}`),
                    id: region,
                };
            case "aws:index/getCallerIdentity:getCallerIdentity":
                // A deploy from CI: a session of the environment's deploy role, assumed through OIDC.
                return {
                    accountId,
                    arn: deploySessionArn(this.stack ?? pulumi.getStack()),
                    userId: "AROAMOCK:saleor-deploy",
                    id: accountId,
                };
            case "aws:iam/getSessionContext:getSessionContext": {
                // iam.getSessionContext: the role behind an assumed-role session; other ARNs come back as they are.
                const arn = String(args.inputs.arn);
                const session = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(arn);
                return session
                    ? {
                          arn,
                          issuerArn: `arn:aws:iam::${session[1]}:role/${session[2]}`,
                          issuerName: session[2],
                          issuerId: "AROAMOCK",
                          sessionName: session[3],
                          id: arn,
                      }
                    : { arn, issuerArn: arn, issuerName: arn.split("/").pop(), issuerId: "", sessionName: "", id: arn };
            }
            case "aws:index/getRegion:getRegion":
                return { name: region, region, id: region };
            case "aws:index/getPartition:getPartition":
                return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
            case "aws:eks/getAddonVersion:getAddonVersion":
                return {
                    addonName: args.inputs.addonName,
                    kubernetesVersion: args.inputs.kubernetesVersion,
                    version: addonVersion(String(args.inputs.addonName), String(args.inputs.kubernetesVersion)),
                    id: String(args.inputs.addonName),
                };
            case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
                return {
                    userName: "AWS",
                    password: `mock-ecr-token-${region}`,
                    proxyEndpoint: `https://${accountId}.dkr.ecr.${region}.amazonaws.com`,
                    authorizationToken: "bW9jaw==",
                    id: region,
                };
            case "aws:ecr/getRepositoryCreationTemplate:getRepositoryCreationTemplate":
                // The account bootstrap ran: its template for the stack's prefix in each replica region (bootstrap/ecr.ts).
                return {
                    prefix: args.inputs.prefix,
                    appliedFors: ["REPLICATION"],
                    imageTagMutability: "IMMUTABLE",
                    region,
                    id: args.inputs.prefix,
                };
            case "aws:iam/getPolicyDocument:getPolicyDocument":
                return { json: JSON.stringify({ Version: "2012-10-17", Statement: args.inputs.statements ?? [] }), id: "policy" };
            case "aws:route53/getZone:getZone": {
                const name = String(args.inputs.name ?? "example.com").replace(/\.$/, "");
                const zoneId = hostedZoneId(name);
                return {
                    id: zoneId,
                    zoneId,
                    name,
                    arn: `arn:aws:route53:::hostedzone/${zoneId}`,
                    privateZone: false,
                    callerReference: `mock-${name}`,
                    comment: "",
                    nameServers: [1, 2, 3, 4].map(
                        (n) => `ns-${parseInt(short(name + n, 3), 16) % 2048}.awsdns-${n}.${["com", "net", "org", "co.uk"][n - 1]}`,
                    ),
                    primaryNameServer: "ns-1.awsdns-1.com",
                    resourceRecordSetCount: 2,
                    linkedServiceDescription: "",
                    linkedServicePrincipal: "",
                    tags: {},
                };
            }
            case "aws:lb/getHostedZoneId:getHostedZoneId": {
                const zones = String(args.inputs.loadBalancerType ?? "application") === "network" ? nlbHostedZones : albHostedZones;
                return {
                    id: zones[region] ?? zones["eu-central-1"],
                    region,
                    loadBalancerType: args.inputs.loadBalancerType ?? "application",
                };
            }
            case "aws:lb/getLoadBalancer:getLoadBalancer":
                return ingressLoadBalancer(region, args.inputs);
            default:
                return {};
        }
    }

    /** Remembers providers' regions so resources and invokes can be given region-correct ARNs. */
    rememberProvider(ref: string, inputs: Record<string, unknown>) {
        if (typeof inputs.region === "string") this.providerRegions.set(ref, inputs.region);
        const cluster = typeof inputs.kubeconfig === "string" ? eksClusterOf(inputs.kubeconfig) : undefined;
        if (cluster) this.providerClusters.set(ref, cluster);
    }

    private regionOf(provider: string | undefined, inputs: Record<string, any>): string {
        if (typeof inputs.region === "string") return inputs.region;
        return (provider && this.providerRegions.get(provider)) || "eu-central-1";
    }
}

/** The EKS cluster a kubeconfig reaches through `aws eks get-token` (components/cluster/aws/kubeconfig.ts); undefined for any other. */
function eksClusterOf(kubeconfig: string): { name: string; region: string } | undefined {
    let config: any;
    try {
        config = JSON.parse(kubeconfig);
    } catch {
        return undefined;
    }
    const args: unknown = config?.users?.[0]?.user?.exec?.args;
    if (!Array.isArray(args) || args[0] !== "eks" || args[1] !== "get-token") return undefined;
    const after = (flag: string) => {
        const i = args.indexOf(flag);
        return i >= 0 && typeof args[i + 1] === "string" ? (args[i + 1] as string) : undefined;
    };
    const name = after("--cluster-name");
    const region = after("--region");
    return name && region ? { name, region } : undefined;
}

/**
 * The ALB the AWS Load Balancer Controller made for an Ingress group, found by its tags: named as the
 * controller names them (k8s-<group, truncated>-<hash>), in the lookup's region, the same for the
 * same tags.
 */
function ingressLoadBalancer(region: string, inputs: Record<string, any>): Record<string, unknown> {
    const tags: Record<string, string> = inputs.tags ?? {};
    const key = JSON.stringify(Object.entries(tags).sort());
    const group = String(tags["ingress.k8s.aws/stack"] ?? inputs.name ?? "alb")
        .replace(/[^A-Za-z0-9]/g, "")
        .slice(0, 8);
    const name = inputs.name ?? `k8s-${group}-${short(key, 10)}`;
    const arnSuffix = `app/${name}/${short(`${region}${key}`, 16)}`;
    const arn = `arn:aws:elasticloadbalancing:${region}:${accountId}:loadbalancer/${arnSuffix}`;
    return {
        id: arn,
        arn,
        arnSuffix,
        name,
        tags,
        loadBalancerType: "application",
        internal: false,
        dnsName: `${name}-${parseInt(short(key, 8), 16)}.${region}.elb.amazonaws.com`,
        zoneId: albHostedZones[region] ?? albHostedZones["eu-central-1"],
    };
}

/** ELB's published hosted zones for alias records (a few regions; others fall back to eu-central-1's). */
const albHostedZones: Record<string, string> = {
    "eu-central-1": "Z215JYRZR1TBD5",
    "eu-west-1": "Z32O12XQLNTSW2",
    "us-east-1": "Z35SXDOTRQ7X7K",
};
const nlbHostedZones: Record<string, string> = {
    "eu-central-1": "Z3F0SRJ5LGBH90",
    "eu-west-1": "Z2IFOLAFXWLO4F",
    "us-east-1": "Z26RNL4JYFTOTI",
};
/** The one hosted zone every CloudFront distribution answers alias queries from. */
const cloudFrontHostedZoneId = "Z2FDTNDATAQYW2";

/** A Route 53 hosted zone id: "Z" and upper-case letters and digits. */
const hostedZoneId = (name: string) => `Z${short(name, 20).toUpperCase()}`;
/** A UUID-shaped id, as WAF and Route 53 health checks have. */
const uuidOf = (s: string) => {
    const x = short(s, 32);
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
};
/** A CloudFront id: "E" and 13 upper-case letters and digits. */
const cloudFrontId = (s: string) => `E${short(s, 13).toUpperCase()}`;

const idPrefixes: Record<string, string> = {
    "aws:ec2/vpc:Vpc": "vpc",
    "aws:ec2/subnet:Subnet": "subnet",
    "aws:ec2/securityGroup:SecurityGroup": "sg",
    "aws:ec2/internetGateway:InternetGateway": "igw",
    "aws:ec2/natGateway:NatGateway": "nat",
    "aws:ec2/eip:Eip": "eipalloc",
    "aws:ec2/routeTable:RouteTable": "rtb",
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": "pcx",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt",
    "aws:kms/key:Key": "mrk",
};

const eksChildIds: Record<string, (inputs: Record<string, any>, fallback: string) => string> = {
    "aws:eks/nodeGroup:NodeGroup": (i, fallback) => `${i.clusterName}:${i.nodeGroupName ?? fallback}`,
    "aws:eks/addon:Addon": (i) => `${i.clusterName}:${i.addonName}`,
    "aws:eks/accessEntry:AccessEntry": (i) => `${i.clusterName}:${i.principalArn}`,
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": (i) => `${i.clusterName}#${i.principalArn}#${i.policyArn}`,
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": (i, fallback) => `${i.clusterName},a-${short(fallback, 17)}`,
};

/** A plausible, deterministic add-on version that differs per add-on and Kubernetes version, as EKS's do. */
function addonVersion(addonName: string, kubernetesVersion: string): string {
    const n = parseInt(short(`${addonName}@${kubernetesVersion}`, 4), 16);
    return `v1.${n % 40}.${n % 7}-eksbuild.${(n % 3) + 1}`;
}

/**
 * The physical names the engine would generate: the logical name plus a random suffix, for the
 * property each type auto-names (most use `name`).
 */
const autoNamedProperty: Record<string, string> = {
    "aws:rds/instance:Instance": "identifier",
    "aws:elasticache/replicationGroup:ReplicationGroup": "replicationGroupId",
    "aws:s3/bucket:Bucket": "bucket",
};
const namedTypes = new Set([
    "aws:rds/subnetGroup:SubnetGroup",
    "aws:rds/parameterGroup:ParameterGroup",
    "aws:elasticache/subnetGroup:SubnetGroup",
    "aws:elasticache/parameterGroup:ParameterGroup",
    "aws:backup/vault:Vault",
    "aws:backup/plan:Plan",
    "aws:backup/selection:Selection",
    "aws:iam/role:Role",
    "aws:iam/policy:Policy",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:eks/cluster:Cluster",
    "aws:ecr/repository:Repository",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:ec2/launchTemplate:LaunchTemplate",
    "aws:sns/topic:Topic",
    "aws:kms/alias:Alias",
    "aws:wafv2/webAcl:WebAcl",
    "aws:cloudfront/originAccessControl:OriginAccessControl",
]);

function autoNames(type: string, name: string, h: string, inputs: Record<string, any>): Record<string, unknown> {
    const property = autoNamedProperty[type] ?? (namedTypes.has(type) ? "name" : undefined);
    if (!property || inputs[property] !== undefined) return {};
    const physical = `${name}-${h.slice(0, 7)}`;
    // Several AWS names are lower-case only (RDS identifiers, buckets, cache groups).
    return { [property]: property === "name" ? physical : physical.toLowerCase() };
}

function awsId(type: string, name: string, h: string, inputs: Record<string, any>): string {
    const prefix = idPrefixes[type];
    if (prefix) return `${prefix}-${short(name, 17)}`;
    if (type === "aws:kms/key:Key") return `${h}-${short(name + "k", 4)}-${short(name + "e", 4)}`;
    // Resources inside an EKS cluster are identified by the cluster plus their own key, as the provider does.
    const eksChild = eksChildIds[type];
    if (eksChild) return eksChild(inputs, `${name}-${h}`);
    // Accepting a peering or setting its options acts on the connection itself.
    if (
        type === "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter" ||
        type === "aws:ec2/peeringConnectionOptions:PeeringConnectionOptions"
    ) {
        return String(inputs.vpcPeeringConnectionId);
    }
    if (type === "aws:wafv2/webAcl:WebAcl" || type === "aws:route53/healthCheck:HealthCheck") return uuidOf(name);
    if (type === "aws:cloudfront/distribution:Distribution" || type === "aws:cloudfront/originAccessControl:OriginAccessControl")
        return cloudFrontId(name);
    if (type === "aws:route53/record:Record") return `${inputs.zoneId}_${String(inputs.name).replace(/\.$/, "")}_${inputs.type}`;
    if (type === "aws:acm/certificateValidation:CertificateValidation") return String(inputs.certificateArn);
    if (type === "aws:iam/accessKey:AccessKey") return `AKIA${short(name, 16).toUpperCase()}`;
    if (type === "aws:ses/domainIdentity:DomainIdentity" || type === "aws:ses/domainDkim:DomainDkim") return String(inputs.domain);
    // Named resources keep their name as id, as most AWS resources do.
    return String(inputs.name ?? inputs.bucket ?? inputs.identifier ?? inputs.replicationGroupId ?? inputs.clusterName ?? `${name}-${h}`);
}

function awsState(type: string, name: string, id: string, h: string, region: string, inputs: Record<string, any>): Record<string, unknown> {
    const arn = (service: string, resource: string, r: string = region) => `arn:aws:${service}:${r}:${accountId}:${resource}`;
    switch (type) {
        case "aws:ec2/vpc:Vpc":
            return {
                arn: arn("ec2", `vpc/${id}`),
                defaultSecurityGroupId: `sg-${short(name + "default", 17)}`,
                mainRouteTableId: `rtb-${short(name + "main", 17)}`,
            };
        case "aws:ec2/subnet:Subnet":
            return { arn: arn("ec2", `subnet/${id}`) };
        case "aws:ec2/securityGroup:SecurityGroup":
            return { arn: arn("ec2", `security-group/${id}`), name: inputs.name ?? id };
        case "aws:ec2/eip:Eip":
            return { publicIp: `198.51.100.${(parseInt(h.slice(0, 2), 16) % 250) + 1}`, allocationId: id };
        case "aws:ec2/natGateway:NatGateway":
            // The gateway's public address is its Elastic IP's; a documentation range stands in for it.
            return {
                publicIp: `203.0.113.${(parseInt(h.slice(0, 2), 16) % 250) + 1}`,
                privateIp: `10.0.0.${(parseInt(h.slice(2, 4), 16) % 250) + 1}`,
            };
        case "aws:kms/key:Key":
            return { arn: arn("kms", `key/${id}`), keyId: id };
        case "aws:iam/role:Role":
            return {
                arn: `arn:aws:iam::${accountId}:role/${inputs.name ?? id}`,
                name: inputs.name ?? id,
                uniqueId: `AROA${h.toUpperCase()}`,
            };
        case "aws:iam/policy:Policy":
            // A managed policy's ARN carries its path (IAM User Guide, "IAM identifiers").
            return { arn: `arn:aws:iam::${accountId}:policy${inputs.path ?? "/"}${inputs.name ?? id}` };
        case "aws:iam/user:User":
            return {
                arn: `arn:aws:iam::${accountId}:user/${inputs.name ?? id}`,
                name: inputs.name ?? id,
                uniqueId: `AIDA${h.toUpperCase()}`,
            };
        case "aws:iam/accessKey:AccessKey":
            // Mock credentials: the provider marks secret and sesSmtpPasswordV4 as secrets.
            return { secret: `mock-secret-${h}`, sesSmtpPasswordV4: `mock-smtp-password-${h}`, status: "Active" };
        case "aws:ses/domainIdentity:DomainIdentity":
            return { arn: arn("ses", `identity/${inputs.domain}`), verificationToken: short(`${name}#verify`, 44) };
        case "aws:ses/domainDkim:DomainDkim":
            // Easy DKIM always hands out three tokens, each published as a CNAME.
            return { dkimTokens: [0, 1, 2].map((i) => short(`${name}#dkim${i}`, 32)) };
        case "aws:eks/cluster:Cluster":
            return {
                arn: arn("eks", `cluster/${id}`),
                name: inputs.name ?? id,
                endpoint: `https://${h.toUpperCase()}${short(name + "ep", 24).toUpperCase()}.gr7.${region}.eks.amazonaws.com`,
                certificateAuthority: { data: Buffer.from(`mock-ca-${h}`).toString("base64") },
                identities: [{ oidcs: [{ issuer: `https://oidc.eks.${region}.amazonaws.com/id/${short(name, 32).toUpperCase()}` }] }],
                vpcConfig: {
                    ...(inputs.vpcConfig ?? {}),
                    clusterSecurityGroupId: `sg-${short(name + "cluster", 17)}`,
                    vpcId: `vpc-${short(name, 17)}`,
                },
                status: "ACTIVE",
                version: inputs.version,
            };
        case "aws:eks/nodeGroup:NodeGroup":
            return {
                arn: arn("eks", `nodegroup/${id.replace(":", "/")}/${h}`),
                nodeGroupName: id.split(":")[1],
                status: "ACTIVE",
                resources: [{ autoscalingGroups: [{ name: `eks-${id.split(":")[1]}-${h}` }] }],
            };
        case "aws:eks/addon:Addon":
            return { arn: arn("eks", `addon/${inputs.clusterName}/${inputs.addonName}/${h}`) };
        case "aws:eks/accessEntry:AccessEntry":
            return {
                accessEntryArn: arn(
                    "eks",
                    `access-entry/${inputs.clusterName}/role/${accountId}/${String(inputs.principalArn).split("/").pop()}/${h}`,
                ),
                type: inputs.type ?? "STANDARD",
            };
        case "aws:eks/podIdentityAssociation:PodIdentityAssociation": {
            const associationId = id.split(",")[1];
            return { associationId, associationArn: arn("eks", `podidentityassociation/${inputs.clusterName}/${associationId}`) };
        }
        case "aws:ec2/launchTemplate:LaunchTemplate":
            return { arn: arn("ec2", `launch-template/${id}`), latestVersion: 1, defaultVersion: 1 };
        case "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter":
            return { acceptStatus: "active", peerRegion: region };
        case "aws:rds/instance:Instance": {
            const address = `${id}.c${h}.${region}.rds.amazonaws.com`;
            const state: Record<string, unknown> = {
                arn: arn("rds", `db:${id}`),
                address,
                endpoint: `${address}:5432`,
                port: 5432,
                resourceId: `db-${h.toUpperCase()}`,
            };
            // RDS names the secret it keeps the master credentials in `rds!db-<uuid>` (Secrets Manager
            // adds a 6-character suffix to every ARN).
            if (inputs.manageMasterUserPassword) {
                state.masterUserSecrets = [
                    {
                        secretArn: arn("secretsmanager", `secret:rds!db-${uuidOf(`${name}#master`)}-${short(`${name}#suffix`, 6)}`),
                        kmsKeyId: inputs.masterUserSecretKmsKeyId,
                        secretStatus: "active",
                    },
                ];
            }
            return state;
        }
        case "aws:elasticache/replicationGroup:ReplicationGroup": {
            const base = `${id}.${h.slice(0, 6)}.${region.replace(/-/g, "").slice(0, 6)}.cache.amazonaws.com`;
            return {
                arn: arn("elasticache", `replicationgroup:${id}`),
                primaryEndpointAddress: `master.${base}`,
                readerEndpointAddress: `replica.${base}`,
                port: 6379,
            };
        }
        case "aws:s3/bucket:Bucket": {
            const bucket = inputs.bucket ?? `${name}-${h}`;
            return { bucket, arn: `arn:aws:s3:::${bucket}`, bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`, region };
        }
        case "aws:ecr/repository:Repository":
            return {
                arn: arn("ecr", `repository/${inputs.name ?? id}`),
                repositoryUrl: `${accountId}.dkr.ecr.${region}.amazonaws.com/${inputs.name ?? id}`,
                registryId: accountId,
            };
        case "aws:acm/certificate:Certificate": {
            // ACM asks for one CNAME per name on the certificate, under that name.
            const names: string[] = [inputs.domainName, ...(inputs.subjectAlternativeNames ?? [])].filter((d) => typeof d === "string");
            return {
                arn: arn("acm", `certificate/${uuidOf(name)}`),
                status: "ISSUED",
                domainValidationOptions: names.map((d) => ({
                    domainName: d,
                    resourceRecordName: `_${short(`${d}#name`, 32)}.${d}.`,
                    resourceRecordType: "CNAME",
                    resourceRecordValue: `_${short(`${d}#value`, 32)}.${short(d, 10)}.acm-validations.aws.`,
                })),
            };
        }
        case "aws:acm/certificateValidation:CertificateValidation":
            return {};
        case "aws:route53/record:Record":
            return { fqdn: String(inputs.name).replace(/\.$/, "") };
        case "aws:route53/healthCheck:HealthCheck":
            return { arn: `arn:aws:route53:::healthcheck/${id}` };
        case "aws:wafv2/webAcl:WebAcl": {
            const scope = inputs.scope === "CLOUDFRONT" ? "global" : "regional";
            return { arn: arn("wafv2", `${scope}/webacl/${inputs.name ?? name}/${id}`), capacity: 1400, lockToken: uuidOf(`${name}#lock`) };
        }
        case "aws:cloudfront/originAccessControl:OriginAccessControl":
            return { etag: short(`${name}#etag`, 14).toUpperCase() };
        case "aws:cloudfront/distribution:Distribution":
            return {
                arn: `arn:aws:cloudfront::${accountId}:distribution/${id}`,
                domainName: `d${short(name, 13)}.cloudfront.net`,
                hostedZoneId: cloudFrontHostedZoneId,
                status: "Deployed",
                etag: short(`${name}#etag`, 14).toUpperCase(),
            };
        case "aws:sns/topic:Topic":
            return { arn: arn("sns", inputs.name ?? id) };
        case "aws:backup/vault:Vault":
            return { arn: arn("backup", `backup-vault:${inputs.name ?? id}`), recoveryPoints: 0 };
        case "aws:cloudwatch/metricAlarm:MetricAlarm":
            return { arn: arn("cloudwatch", `alarm:${inputs.name ?? id}`) };
        case "aws:cloudwatch/dashboard:Dashboard":
            return { dashboardArn: `arn:aws:cloudwatch::${accountId}:dashboard/${inputs.dashboardName ?? id}` };
        default:
            return { arn: arn(type.split(":")[1].split("/")[0], `${name}/${id}`) };
    }
}
