import assert from "node:assert/strict";
import { ConfigError, loadStackConfig, validateStackConfig } from "../../config";
import { assertIncludes, configSource, devStack, productionStack } from "../support/config";

function problemsOf(values: Record<string, unknown>, secretKeys: string[] = []): string[] {
    const result = validateStackConfig(configSource(values, secretKeys));
    return "problems" in result ? result.problems : [];
}

function configOf(values: Record<string, unknown>): any {
    const result = validateStackConfig(configSource(values));
    assert.ok("config" in result, JSON.stringify(result));
    return result.config;
}

function withRegion(stack: typeof productionStack, index: number, patch: Record<string, unknown>) {
    return { ...stack, regions: stack.regions.map((r, i) => (i === index ? { ...r, ...patch } : r)) };
}

describe("stack configuration", () => {
    it("refuses production backups kept shorter than the locked vaults accept, naming the key and the range", () => {
        const problems = problemsOf({ ...productionStack, data: { aws: { postgres: { backupRetentionDays: 5 } } } });
        assertIncludes(
            problems,
            "saleor:data.aws.postgres.backupRetentionDays: 5 is outside the production backup vaults' lock; allowed: 7 to 35 days",
        );
        assert.deepEqual(problemsOf({ ...productionStack, data: { aws: { postgres: { backupRetentionDays: 7 } } } }), []);
    });

    it("accepts a minimal dev stack and fills every default", () => {
        const cfg = configOf(devStack);
        assert.equal(cfg.workloads.api.replicas, 1);
        assert.equal(cfg.app.debug, true);
        assert.deepEqual(cfg.releases, { local: cfg.saleorVersion });
    });

    it("accepts a minimal production stack with the seeds' HA sizing", () => {
        const cfg = configOf(productionStack);
        assert.ok(cfg.workloads.api.replicas >= 2);
        assert.deepEqual(cfg.workloads.api.resources, { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "2", memory: "4Gi" } });
        assert.equal(cfg.data.aws.postgres.backupRetentionDays, 30);
        assert.equal(cfg.data.aws.postgres.multiAz, true);
        assert.equal(cfg.app.debug, false);
    });

    it("a stack value overrides one default and keeps its siblings", () => {
        const cfg = configOf({ ...devStack, workloads: { api: { replicas: 2 } } });
        assert.equal(cfg.workloads.api.replicas, 2);
        assert.equal(cfg.workloads.api.resources.requests.cpu, "250m");
    });

    it("names a missing required key with its full path", () => {
        const { regions: _regions, ...noRegions } = devStack;
        assertIncludes(problemsOf(noRegions), "saleor:regions: is required (array)");
    });

    it("requires the environment and lists the allowed ones", () => {
        const { environment: _env, ...rest } = devStack;
        assert.deepEqual(problemsOf(rest), ["saleor:environment: is required; allowed: dev, staging, production"]);
        assert.deepEqual(problemsOf({ ...devStack, environment: "prod" }), [
            'saleor:environment: is "prod"; allowed: dev, staging, production',
        ]);
    });

    it("reports a wrong type at the nested key", () => {
        const problems = problemsOf({ ...devStack, workloads: { api: { replicas: "two" } } });
        assert.equal(problems.length, 1, problems.join("\n"));
        assert.match(problems[0], /^saleor:workloads\.api\.replicas: expected number, received string/);
    });

    it("reports a bad region name with its index", () => {
        assertIncludes(
            problemsOf(withRegion(productionStack, 1, { name: "EU_West" })),
            "saleor:regions[1].name: must be lower-case letters, digits and dashes",
        );
    });

    it("rejects an unknown AWS region and lists the known ones", () => {
        const problems = problemsOf(withRegion(productionStack, 1, { name: "eu-moon-1" }));
        assert.ok(
            problems.some((p) =>
                p.startsWith('saleor:regions[1].name: "eu-moon-1" is not a known AWS region; allowed: eu-central-1, eu-west-1'),
            ),
            problems.join("\n"),
        );
    });

    it("rejects a misspelt key and names the keys allowed there", () => {
        const problems = problemsOf({ ...devStack, app: { debg: true } });
        assert.equal(problems.length, 1, problems.join("\n"));
        assert.match(problems[0], /^saleor:app\.debg: unknown key; allowed keys are debug, scheme,/);
        assert.match(
            problemsOf({ ...devStack, regoins: [] })[0],
            /^saleor:regoins: unknown key; allowed keys are environment, saleorVersion,/,
        );
    });

    it("names every misspelt key in one object, and the keys allowed in the chosen image source", () => {
        assert.deepEqual(
            problemsOf({ ...devStack, app: { debg: true, playgrund: false } }).map((p) => p.split(";")[0]),
            ["saleor:app.debg: unknown key", "saleor:app.playgrund: unknown key"],
        );
        const storefront = { source: "image", repository: "registry.example.com/storefront", tag: "1.0.0", context: "." };
        assert.deepEqual(problemsOf({ ...devStack, images: { storefront } }), [
            "saleor:images.storefront.context: unknown key; allowed keys are source, repository, tag",
        ]);
    });

    it("says what is allowed for a choice, a number out of range, a whole number and a market code", () => {
        const dev = devStack.regions[0];
        assert.deepEqual(problemsOf({ ...devStack, regions: [{ ...dev, role: "main" }] }), [
            'saleor:regions[0].role: is "main"; allowed: primary, secondary',
        ]);
        assert.deepEqual(problemsOf({ ...devStack, images: { storefront: { source: "registry" } } }), [
            'saleor:images.storefront.source: is "registry"; allowed: image, build',
        ]);
        assert.deepEqual(problemsOf({ ...devStack, images: { storefront: { tag: "1.0.0" } } }), [
            "saleor:images.storefront.source: is required; allowed: image, build",
        ]);
        assert.deepEqual(problemsOf({ ...devStack, workloads: { api: { replicas: 101 } } }), [
            "saleor:workloads.api.replicas: is 101; allowed: <= 100",
        ]);
        assert.deepEqual(problemsOf({ ...devStack, workloads: { api: { autoscaling: { maxReplicas: 4, targetCpuUtilization: 5 } } } }), [
            "saleor:workloads.api.autoscaling.targetCpuUtilization: is 5; allowed: >= 10",
        ]);
        assert.deepEqual(problemsOf({ ...devStack, app: { apiWorkers: 1.5 } }), ["saleor:app.apiWorkers: must be a whole number (is 1.5)"]);
        assert.deepEqual(
            problemsOf({ ...devStack, regions: [{ ...dev, hosts: { ...dev.hosts, storefronts: { DEU: "shop.localhost" } } }] }),
            ["saleor:regions[0].hosts.storefronts.DEU: market codes are two lower-case letters"],
        );
        assert.deepEqual(problemsOf({ ...devStack, regions: [] }), ["saleor:regions: needs at least one region"]);
        assert.deepEqual(problemsOf({ ...devStack, regions: [{ name: "local", hosts: dev.hosts }] }), [
            "saleor:regions[0].role: is required (one of primary, secondary)",
        ]);
    });

    it("names the settings a cluster or data flavour needs when they are missing", () => {
        assert.deepEqual(
            problemsOf({ ...devStack, cluster: { flavour: "aws" } }).filter((p) => p.startsWith("saleor:cluster.")),
            ['saleor:cluster.aws: required when cluster.flavour is "aws"'],
        );
        assert.deepEqual(
            problemsOf({ ...productionStack, cluster: { flavour: "existing" } }).filter((p) => p.startsWith("saleor:cluster.")),
            ['saleor:cluster.existing: required when cluster.flavour is "existing" (may be {} to use the current kubeconfig context)'],
        );
        assert.deepEqual(
            problemsOf({ ...devStack, data: { flavour: "aws" } }).filter((p) => p.startsWith("saleor:data.aws")),
            ['saleor:data.aws: required when data.flavour is "aws"'],
        );
        assert.deepEqual(
            problemsOf({ ...productionStack, data: { flavour: "in-cluster" } }).filter((p) => p.startsWith("saleor:data.")),
            ['saleor:data.inCluster: required when data.flavour is "in-cluster"'],
        );
    });

    it("ignores the settings of the flavour a stack does not use", () => {
        const cfg = configOf({ ...devStack, cluster: { aws: { kubernetesVersion: "1.34" } } });
        assert.equal(cfg.cluster.flavour, "existing");
        assert.equal(cfg.cluster.aws, undefined);
    });

    it("refuses an RDS instance class the alarms cannot size, naming the key, before any resource exists", () => {
        const stack = { ...productionStack, data: { aws: { postgres: { instanceClass: "db.x2g.large" } } } };
        assertIncludes(
            problemsOf(stack),
            'saleor:data.aws.postgres.instanceClass: "db.x2g.large" is not in the table the alarms size max_connections from (catalog/rds.ts); ' +
                "allowed with operations.alarms: db.{t3,t4g}.{micro,small,medium,large,xlarge,2xlarge}; " +
                "db.{m5,m5d,m6g,m6gd,m6i,m6id,m7g,m7gd,m7i,m8g,r5,r5d,r6g,r6gd,r6i,r6id,r7g,r7gd,r7i,r8g}.{large,xlarge,2xlarge,4xlarge,8xlarge,12xlarge,16xlarge,24xlarge}",
        );
        assert.deepEqual(problemsOf({ ...stack, operations: { ...productionStack.operations, alarms: false } }), []);
    });

    it("refuses a VPC range AWS would refuse or that cannot hold a subnet pair per zone, naming the key", () => {
        assertIncludes(
            problemsOf(withRegion(productionStack, 1, { vpcCidr: "10.16.0.0/12" })),
            "saleor:regions[1].vpcCidr: VPC range 10.16.0.0/12 must be between /16 and /28",
        );
        assertIncludes(
            problemsOf(withRegion(productionStack, 1, { vpcCidr: "10.20.1.0/16" })),
            "saleor:regions[1].vpcCidr: 10.20.1.0/16 has host bits set; did you mean 10.20.0.0/16?",
        );
        assertIncludes(
            problemsOf(withRegion(productionStack, 1, { vpcCidr: "10.20.0.0/26" })),
            "saleor:regions[1].vpcCidr: VPC range 10.20.0.0/26 is too small for 3 zones: public subnets would be /30, smaller than AWS's /28",
        );
    });

    it("refuses a role that would get a second EKS access entry, naming the key", () => {
        const deployRoleArn = productionStack.cluster.aws.deployRoleArn;
        const admin = "arn:aws:iam::123456789012:role/platform-admins";
        assert.deepEqual(
            problemsOf({
                ...productionStack,
                cluster: { aws: { ...productionStack.cluster.aws, adminRoleArns: [admin, deployRoleArn, admin] } },
            }),
            [
                "saleor:cluster.aws.adminRoleArns[1]: is the deploy role (cluster.aws.deployRoleArn), which has its own access entry; EKS refuses a second one for the same role",
                `saleor:cluster.aws.adminRoleArns[2]: "${admin}" is listed twice; each role gets one access entry`,
            ],
        );
    });

    it("requires the deploy role on AWS", () => {
        assertIncludes(problemsOf({ ...productionStack, cluster: {} }), "saleor:cluster.aws.deployRoleArn: is required (string)");
    });

    describe("the permissions boundary of the stack's IAM roles and users", () => {
        const aws = productionStack.cluster.aws;
        const withBoundary = (permissionsBoundaryArn: unknown) => ({
            ...productionStack,
            cluster: { aws: { ...aws, permissionsBoundaryArn } },
        });

        it("is required on AWS: the deploy role may create no role or user without it", () => {
            const { permissionsBoundaryArn: _, ...withoutBoundary } = aws;
            assertIncludes(
                problemsOf({ ...productionStack, cluster: { aws: withoutBoundary } }),
                "saleor:cluster.aws.permissionsBoundaryArn: is required (string)",
            );
        });

        it("must be a managed policy's ARN", () => {
            assertIncludes(
                problemsOf(withBoundary("arn:aws:iam::123456789012:role/saleor-production-workload-boundary")),
                "saleor:cluster.aws.permissionsBoundaryArn: must be an IAM managed policy ARN such as arn:aws:iam::123456789012:policy/saleor-bootstrap/saleor-production-workload-boundary (the bootstrap's output workloadBoundaries.<environment>)",
            );
        });

        it("must be in the deploy role's account, naming both keys", () => {
            assert.deepEqual(
                problemsOf(withBoundary("arn:aws:iam::210987654321:policy/saleor-bootstrap/saleor-production-workload-boundary")),
                [
                    "saleor:cluster.aws.permissionsBoundaryArn: is in account 210987654321, cluster.aws.deployRoleArn in 123456789012; IAM sets a boundary only from the entity's own account, and the deploy role accepts only its own account's",
                ],
            );
        });

        it("is not asked of a stack without AWS", () => {
            assert.deepEqual(problemsOf(devStack), []);
        });
    });

    it("moves one EKS add-on by config and refuses an unknown add-on or version, naming the key", () => {
        const aws = productionStack.cluster.aws;
        const cfg = configOf({ ...productionStack, cluster: { aws: { ...aws, addonVersions: { coredns: "v1.12.4-eksbuild.9" } } } });
        assert.deepEqual(cfg.cluster.aws.addonVersions, { coredns: "v1.12.4-eksbuild.9" });
        const problems = problemsOf({
            ...productionStack,
            cluster: { aws: { ...aws, addonVersions: { "kube-dns": "v1.0.0-eksbuild.1", coredns: "latest" } } },
        });
        assertIncludes(problems, "saleor:cluster.aws.addonVersions.coredns: must be an EKS add-on build such as v1.20.4-eksbuild.1");
        assert.ok(
            problems.some((p) => p.startsWith("saleor:cluster.aws.addonVersions.kube-dns") && p.includes("vpc-cni, kube-proxy")),
            problems.join("\n"),
        );
    });

    it("refuses a deploy runner network that overlaps a region's, naming the key", () => {
        const aws = productionStack.cluster.aws;
        const runner = { vpcId: "vpc-0a1b2c3d4e5f67890", vpcCidr: "10.20.0.0/24", routeTableIds: ["rtb-0a1b2c3d4e5f67890"] };
        assert.deepEqual(problemsOf({ ...productionStack, cluster: { aws: { ...aws, deployRunner: runner } } }), [
            "saleor:cluster.aws.deployRunner.vpcCidr: 10.20.0.0/24 overlaps regions[1].vpcCidr 10.20.0.0/16; the runner's VPC is peered with every region's",
        ]);
        assert.deepEqual(
            problemsOf({ ...productionStack, cluster: { aws: { ...aws, deployRunner: { ...runner, vpcCidr: "10.250.0.0/24" } } } }),
            [],
        );
    });

    it("refuses a node group that mixes ARM and x86 instance types", () => {
        const group = {
            name: "general",
            instanceTypes: ["m7g.2xlarge", "m7i.2xlarge"],
            minSize: 3,
            desiredSize: 3,
            maxSize: 6,
            diskSizeGiB: 100,
        };
        assert.deepEqual(problemsOf({ ...productionStack, cluster: { aws: { ...productionStack.cluster.aws, nodeGroups: [group] } } }), [
            "saleor:cluster.aws.nodeGroups[0].instanceTypes: mixes ARM (m7g.2xlarge) and x86 (m7i.2xlarge) instance types; one node group runs one AMI",
        ]);
    });

    it("refuses an OTLP endpoint that is not http or https", () => {
        assert.deepEqual(problemsOf({ ...devStack, operations: { otlpEndpoint: "ftp://collector.example.com:4318" } }), [
            'saleor:operations.otlpEndpoint: "ftp://collector.example.com:4318" must be an http:// or https:// URL (OTLP over HTTP)',
        ]);
    });

    it("refuses an alert address listed twice", () => {
        assert.deepEqual(
            problemsOf({
                ...productionStack,
                operations: { ...productionStack.operations, alertEmails: ["ops@example.com", "OPS@example.com"] },
            }),
            ['saleor:operations.alertEmails[1]: "OPS@example.com" is listed twice; each address is subscribed once'],
        );
    });

    it("refuses a Dashboard whose minor version differs from Core's", () => {
        assert.deepEqual(problemsOf({ ...devStack, saleorVersion: "3.23.5", dashboardVersion: "3.22.4" }), [
            "saleor:dashboardVersion: 3.22.4 does not match Core 3.23.5 in region local; the Dashboard minor version must equal Core's (3.23)",
        ]);
    });

    it("checks the Dashboard against every region's release during a staged rollout", () => {
        assertIncludes(
            problemsOf({ ...productionStack, regionReleases: { "eu-central-1": "3.24.0" } }),
            "saleor:dashboardVersion: 3.23.0 does not match Core 3.24.0 in region eu-central-1; the Dashboard minor version must equal Core's (3.24)",
        );
    });

    it("refuses more than one Celery beat", () => {
        assert.deepEqual(problemsOf({ ...devStack, workloads: { beat: { replicas: 2 } } }), [
            "saleor:workloads.beat.replicas: is 2; Celery beat must run exactly 1 replica (two schedulers enqueue every periodic task twice)",
        ]);
    });

    it("refuses production with fewer than two API or worker replicas", () => {
        const problems = problemsOf({ ...productionStack, workloads: { api: { replicas: 1 }, worker: { replicas: 1 } } });
        assertIncludes(
            problems,
            "saleor:workloads.api.replicas: is 1; production needs at least 2 so a node loss or rollout never takes it down",
        );
        assertIncludes(
            problems,
            "saleor:workloads.worker.replicas: is 1; production needs at least 2 so a node loss or rollout never takes it down",
        );
    });

    it("refuses a workload's request above its limit, naming the key, before Kubernetes would", () => {
        assert.deepEqual(
            problemsOf({
                ...devStack,
                workloads: {
                    api: { resources: { requests: { cpu: "1500m", memory: "512Mi" }, limits: { cpu: "1", memory: "512Mi" } } },
                    migration: { resources: { requests: { cpu: "250m", memory: "2Gi" }, limits: { cpu: "0.5", memory: "1536Mi" } } },
                },
            }),
            [
                "saleor:workloads.api.resources.requests.cpu: 1500m is above its limit 1 (workloads.api.resources.limits.cpu); Kubernetes refuses a request above its limit",
                "saleor:workloads.migration.resources.requests.memory: 2Gi is above its limit 1536Mi (workloads.migration.resources.limits.memory); Kubernetes refuses a request above its limit",
            ],
        );
        assert.deepEqual(
            problemsOf({
                ...devStack,
                workloads: { api: { resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1000m", memory: "1024Mi" } } } },
            }),
            [],
        );
    });

    it("refuses a credential given in plain text and says how to set it as a secret", () => {
        assert.deepEqual(problemsOf({ ...productionStack, emailUrl: "smtp://user:pass@smtp.example.com:587/?tls=True" }), [
            "saleor:emailUrl: holds credentials, so it must be a secret; set it with `pulumi config set --secret saleor:emailUrl <value>`",
        ]);
        assert.deepEqual(problemsOf({ ...productionStack, emailUrl: "smtp://user:pass@smtp.example.com:587/" }, ["emailUrl"]), []);
    });

    it("refuses `latest` as a release", () => {
        assert.match(problemsOf({ ...devStack, release: "latest" })[0], /^saleor:release: must not be `latest`/);
    });

    it("refuses a previous release that is no image tag, naming saleor:previousRelease", () => {
        assert.match(
            problemsOf({ ...productionStack, previousRelease: "3.23.5 final" })[0],
            /^saleor:previousRelease: must be an image tag/,
        );
        assert.match(problemsOf({ ...productionStack, previousRelease: "latest" })[0], /^saleor:previousRelease: must not be `latest`/);
        assert.equal(configOf({ ...productionStack, previousRelease: "3.23.4" }).previousRelease, "3.23.4");
    });

    it("refuses a git SHA release for upstream Core images", () => {
        assert.match(problemsOf({ ...devStack, release: "0a1b2c3d" })[0], /^saleor:release: "0a1b2c3d" is not a Saleor version/);
    });

    it("refuses a per-region release for a region that does not exist", () => {
        assertIncludes(
            problemsOf({ ...productionStack, regionReleases: { "us-east-1": "3.23.5" } }),
            'saleor:regionReleases.us-east-1: no region is named "us-east-1"; allowed: eu-central-1, eu-west-1',
        );
    });

    it("resolves each region's release from regionReleases, then release, then saleorVersion", () => {
        const cfg = configOf({ ...productionStack, release: "3.23.6", regionReleases: { "eu-central-1": "3.23.7" } });
        assert.deepEqual(cfg.releases, { "eu-central-1": "3.23.7", "eu-west-1": "3.23.6" });
    });

    it("requires exactly one primary region", () => {
        assertIncludes(
            problemsOf(withRegion(productionStack, 1, { role: "primary" })),
            'saleor:regions: exactly one region must have role "primary" (found 2); the primary runs migrations and Celery beat',
        );
    });

    it("refuses a Kubernetes minor the pinned cluster autoscaler is not built for, before any resource exists", () => {
        assertIncludes(
            problemsOf({ ...productionStack, cluster: { aws: { ...productionStack.cluster.aws, kubernetesVersion: "1.35" } } }),
            'saleor:cluster.aws.kubernetesVersion: "1.35" has no pinned cluster autoscaler (it supports only the Kubernetes minor it was built for); ' +
                'allowed: "1.34", or pin the matching chart and image in catalog/charts.ts first',
        );
    });

    it("refuses overlapping VPC ranges between regions", () => {
        assertIncludes(
            problemsOf(withRegion(productionStack, 1, { vpcCidr: "10.10.128.0/17" })),
            "saleor:regions[1].vpcCidr: 10.10.128.0/17 overlaps regions[0].vpcCidr 10.10.0.0/16; peered VPCs need disjoint ranges",
        );
    });

    it("refuses the same public host in two places", () => {
        assertIncludes(
            problemsOf(
                withRegion(productionStack, 1, {
                    hosts: { api: "api.de.example.com", dashboard: "d.nl.example.com", storefronts: { nl: "nl.example.com" } },
                }),
            ),
            'saleor:regions[1].hosts.api: host "api.de.example.com" is already used by saleor:regions[0].hosts.api; every public host must be unique',
        );
    });

    it("a stack with two regions names one public API host, which no region uses and the zone holds", () => {
        const { apiHost: _, ...withoutApiHost } = productionStack.operations;
        assertIncludes(
            problemsOf({ ...productionStack, operations: withoutApiHost }),
            "saleor:operations.apiHost: is required with more than one region: every Core shares one database and so must share one PUBLIC_URL (Saleor apps key their credentials by it); e.g. api.example.com",
        );
        assertIncludes(
            problemsOf({ ...productionStack, operations: { ...productionStack.operations, apiHost: "api.nl.example.com" } }),
            `saleor:operations.apiHost: "api.nl.example.com" is already a region's host; the stack's API host must be a name of its own`,
        );
        assertIncludes(
            problemsOf({ ...productionStack, operations: { ...productionStack.operations, apiHost: "api.example.org" } }),
            'saleor:operations.apiHost: "api.example.org" is outside operations.dnsZone example.com; its latency records go in that zone',
        );
        assert.deepEqual(problemsOf(devStack), [], "one region may keep its own API host");
    });

    it("keeps us-east-1 for the Route 53 health alarms when the edge and alarms are on", () => {
        assertIncludes(
            problemsOf(withRegion(productionStack, 1, { name: "us-east-1" })),
            `saleor:regions[1].name: "us-east-1" holds the stack's Route 53 health check alarms and their alert topic (those metrics exist only there), which would take the region's alert topic name; allowed: any other region, or operations.alarms false`,
        );
    });

    it("refuses DEBUG outside dev", () => {
        assertIncludes(
            problemsOf({ ...productionStack, app: { debug: true } }),
            "saleor:app.debug: DEBUG must be false outside dev (it leaks tracebacks and settings); allowed: false",
        );
    });

    it("refuses PostgreSQL older than 15", () => {
        assert.match(
            problemsOf({ ...productionStack, data: { aws: { postgres: { engineVersion: "13" } } } })[0],
            /^saleor:data\.aws\.postgres\.engineVersion: must be PostgreSQL 15 or newer/,
        );
    });

    it("lists every problem at once, not just the first", () => {
        const problems = problemsOf({
            ...productionStack,
            workloads: { api: { replicas: 1 }, beat: { replicas: 3 } },
            dashboardVersion: "3.20.0",
        });
        assert.ok(problems.length >= 3, problems.join("\n"));
    });

    it("throws one ConfigError listing every problem, printed by the engine without a stack trace", () => {
        let thrown: unknown;
        try {
            loadStackConfig(configSource({ ...devStack, workloads: { beat: { replicas: 2 } }, dashboardVersion: "3.20.0" }));
        } catch (e) {
            thrown = e;
        }
        assert.ok(thrown instanceof ConfigError);
        assert.equal(thrown.problems.length, 2);
        assert.match(thrown.message, /saleor:workloads\.beat\.replicas/);
        assert.match(thrown.message, /saleor:dashboardVersion/);
        // RunError is the error class the Pulumi engine reports without the stack.
        assert.equal((thrown as any).__pulumiRunError, true);
    });

    it("a region with several markets names its primary market, one of them", () => {
        const { primaryMarket: _unset, ...unnamed } = productionStack.regions[1];
        assertIncludes(
            problemsOf({ ...productionStack, regions: [productionStack.regions[0], unnamed] }),
            "saleor:regions[1].primaryMarket: is required when a region has more than one market: the market the storefront is built for; allowed: be, nl",
        );
        assertIncludes(
            problemsOf(withRegion(productionStack, 1, { primaryMarket: "de" })),
            `saleor:regions[1].primaryMarket: "de" is not one of this region's markets (hosts.storefronts); allowed: be, nl`,
        );
        assert.equal(configOf(productionStack).regions[0].primaryMarket, undefined, "one market needs no name");
    });

    it("channels are given for markets that exist, and production takes no test payments", () => {
        assertIncludes(
            problemsOf({ ...productionStack, storefront: { channels: { fr: "channel-fr" } } }),
            `saleor:storefront.channels.fr: "fr" is not a market of any region (regions[].hosts.storefronts); allowed: be, de, nl`,
        );
        assertIncludes(
            problemsOf({ ...productionStack, storefront: { payments: { dummy: true } } }),
            "saleor:storefront.payments.dummy: test payments (Dummy Payment app) must be off in production: orders would be placed unpaid; allowed: false",
        );
    });
});
