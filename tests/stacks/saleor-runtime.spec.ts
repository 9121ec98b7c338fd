import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { evaluateStack } from "../../automation/plan/evaluate";
import { toPlanDocument } from "../../automation/plan/json";
import { checkPlan } from "../../policy/offline";
import { readStackConfig } from "../../policy/table";
import { coreSecretEnv, coreSecretEnvIsSecret } from "../support/core-secrets";
import { Resources } from "../support/harness";
import { evaluated } from "../support/plans";

// "Saleor as it really runs": what Saleor Core needs at run time beyond starting, asserted in the
// plan of every stack it concerns. Upstream facts: saleor/saleor 3.23.5 (saleor/settings.py).

const stacks = ["dev", "staging", "production"] as const;
const regionsOf = (stack: string) => (stack === "dev" ? ["local"] : ["eu-central-1", "eu-west-1"]);
const configMap = (res: Resources, region: string) => (res.one("kubernetes:core/v1:ConfigMap", `${region}-core-config`).inputs as any).data;
const coreSecret = coreSecretEnv;
/** The physical name of a bucket, read from a resource configured on it. */
const bucketName = (res: Resources, logical: string) =>
    (res.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${logical}-public-access`).inputs as any).bucket as string;
const onBucket = (res: Resources, type: string, bucket: string) => res.ofType(type).filter((r) => (r.inputs as any).bucket === bucket);
const podSpec = (r: { inputs: unknown }) => (r.inputs as any).spec.template.spec;

async function problemsOf(stack: string, overrides: Record<string, string>): Promise<string[]> {
    const result = await evaluateStack({ stack, configOverrides: overrides });
    return "problems" in result ? result.problems : [];
}

describe("Saleor as it really runs", () => {
    describe("webhook payloads the API stores are readable by the worker (private storage)", () => {
        for (const stack of ["staging", "production"] as const) {
            describe(stack, () => {
                let res: Resources;
                before(async () => {
                    res = new Resources((await evaluated(stack)).resources);
                });
                const privateOf = (region: string) => bucketName(res, `${region}-data-private`);

                it("tells Core in every region to keep private files in the primary region's private bucket", () => {
                    for (const region of regionsOf(stack)) {
                        const data = configMap(res, region);
                        assert.equal(data.AWS_MEDIA_PRIVATE_BUCKET_NAME, privateOf("eu-central-1"), region);
                        assert.notEqual(data.AWS_MEDIA_PRIVATE_BUCKET_NAME, data.AWS_MEDIA_BUCKET_NAME);
                        assert.equal(data.AWS_S3_REGION_NAME, "eu-central-1");
                    }
                });

                it("gives each region a private bucket of its own: KMS-encrypted, versioned, public access blocked, TLS only", () => {
                    for (const region of regionsOf(stack)) {
                        const bucket = privateOf(region);
                        const block = res.one(
                            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
                            `${region}-data-private-public-access`,
                        );
                        for (const k of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"])
                            assert.equal((block.inputs as any)[k], true, k);
                        const [sse] = onBucket(
                            res,
                            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                            bucket,
                        );
                        assert.equal((sse.inputs as any).rules[0].applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
                        const [versioning] = onBucket(res, "aws:s3/bucketVersioning:BucketVersioning", bucket);
                        assert.equal((versioning.inputs as any).versioningConfiguration.status, "Enabled");
                        const [policy] = onBucket(res, "aws:s3/bucketPolicy:BucketPolicy", bucket);
                        assert.match(String((policy.inputs as any).policy), /aws:SecureTransport/);
                        assert.equal(onBucket(res, "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration", bucket).length, 0);
                        assert.equal(res.one("aws:s3/bucket:Bucket", `${region}-data-private`).protect, stack === "production");
                    }
                });

                it("never makes a private bucket a CDN origin", () => {
                    const cdn = JSON.stringify(res.all.filter((r) => r.type.startsWith("aws:cloudfront/")).map((r) => r.inputs));
                    for (const region of regionsOf(stack)) assert.ok(!cdn.includes(privateOf(region)), region);
                });

                it("backs the primary's private bucket up with the media bucket", () => {
                    const selection = res.ofType("aws:backup/selection:Selection");
                    assert.equal(selection.length, 1);
                    const resources = JSON.stringify((selection[0].inputs as any).resources);
                    assert.ok(resources.includes(bucketName(res, "eu-central-1-data-media")), "the media bucket");
                    assert.ok(resources.includes(privateOf("eu-central-1")), "the private bucket");
                });

                it("lets Core's Pod Identity role in every region read and write the primary's private bucket", () => {
                    for (const region of regionsOf(stack)) {
                        const policies = JSON.stringify(
                            res.all
                                .filter((r) => r.type.startsWith("aws:iam/") && r.name.startsWith(`${region}-data-workload`))
                                .map((r) => r.inputs),
                        );
                        assert.ok(policies.includes(`arn:aws:s3:::${privateOf("eu-central-1")}/*`), `${region}: ${policies}`);
                        assert.ok(policies.includes("UsePrivateFilesKey"), region);
                    }
                });
            });
        }

        describe("dev", () => {
            const claimsOf = (res: Resources, component: string) => {
                const [w] = [
                    ...res.component("kubernetes:apps/v1:Deployment", component),
                    ...res.component("kubernetes:argoproj.io/v1alpha1:Rollout", component),
                    ...res.component("kubernetes:batch/v1:Job", component),
                ];
                const spec = podSpec(w);
                const mounted = spec.containers[0].volumeMounts.find((m: any) => m.mountPath === "/app/media");
                assert.ok(mounted, `${component} mounts nothing at /app/media (MEDIA_ROOT, where private files live without a bucket)`);
                assert.ok(!mounted.readOnly, component);
                return spec.volumes.find((v: any) => v.name === mounted.name).persistentVolumeClaim.claimName;
            };
            it("keeps private files on one volume that the API, worker, beat and migration all mount at MEDIA_ROOT", async () => {
                const res = new Resources((await evaluated("dev")).resources);
                assert.equal(configMap(res, "local").AWS_MEDIA_PRIVATE_BUCKET_NAME, undefined);
                const claims = new Set(["api", "worker", "beat", "migrations"].map((c) => claimsOf(res, c)));
                assert.equal(claims.size, 1);
            });
            it("shares the volume across nodes when saleor:data.inCluster.mediaAccessMode is ReadWriteMany", async () => {
                const res = new Resources(
                    (
                        await evaluated("dev", {
                            "saleor:data": JSON.stringify({ inCluster: { mediaAccessMode: "ReadWriteMany", storageClassName: "nfs" } }),
                        })
                    ).resources,
                );
                const [claim] = res.component("kubernetes:core/v1:PersistentVolumeClaim", "media");
                assert.deepEqual((claim.inputs as any).spec.accessModes, ["ReadWriteMany"]);
                assert.equal((claim.inputs as any).spec.storageClassName, "nfs");
            });
        });
    });

    describe("placeholder images and e-mail logos load with DEBUG off (static files)", () => {
        const staticJobs = (res: Resources) =>
            res.ofType("kubernetes:batch/v1:Job").filter((j) => JSON.stringify(podSpec(j).containers[0].command).includes("collectstatic"));
        for (const stack of ["staging", "production"] as const) {
            describe(stack, () => {
                let res: Resources;
                before(async () => {
                    res = new Resources((await evaluated(stack)).resources);
                });
                it("tells Core in every region to find static files in the primary's media bucket", () => {
                    for (const region of regionsOf(stack)) {
                        const data = configMap(res, region);
                        assert.equal(data.AWS_STORAGE_BUCKET_NAME, bucketName(res, "eu-central-1-data-media"), region);
                        if (stack === "production") {
                            // Served by the media CDN, unsigned.
                            assert.equal(data.AWS_STATIC_CUSTOM_DOMAIN, "media.example.com");
                            assert.equal(data.STATIC_URL, "https://media.example.com/");
                            assert.equal(data.AWS_QUERYSTRING_AUTH, undefined);
                        } else {
                            // Served from the private bucket through signed links.
                            assert.equal(data.AWS_STATIC_CUSTOM_DOMAIN, undefined);
                            assert.equal(data.AWS_QUERYSTRING_AUTH, "True");
                        }
                    }
                });
                it("copies them to the bucket once per Core image, from the primary region, as Core's Pod Identity account", () => {
                    const jobs = staticJobs(res);
                    assert.equal(jobs.length, 1);
                    const [job] = jobs;
                    assert.ok(job.name.startsWith("eu-central-1-"), job.name);
                    assert.match((job.inputs as any).metadata.name, /^saleor-collectstatic-[0-9a-f]+$/);
                    assert.deepEqual(podSpec(job).containers[0].command, ["python3", "manage.py", "collectstatic", "--noinput"]);
                    assert.equal(podSpec(job).serviceAccountName, "saleor-core");
                    const migrate = res.one("kubernetes:batch/v1:Job", "eu-central-1-core-migrate");
                    assert.equal(
                        (job.inputs as any).metadata.name.split("-").pop(),
                        (migrate.inputs as any).metadata.name.split("-").pop(),
                        "named by the same image digest",
                    );
                });
            });
        }
        it("dev: Core serves /static/ itself, as DEBUG is on (saleor/urls.py), so no bucket and no Job", async () => {
            const res = new Resources((await evaluated("dev")).resources);
            const data = configMap(res, "local");
            assert.equal(data.DEBUG, "True");
            assert.equal(data.AWS_STORAGE_BUCKET_NAME, undefined);
            assert.equal(staticJobs(res).length, 0);
        });
    });

    describe("staff invitations and password resets are sent (EMAIL_URL)", () => {
        for (const stack of ["staging", "production"] as const) {
            describe(stack, () => {
                let res: Resources;
                let planText: string;
                before(async () => {
                    const e = await evaluated(stack);
                    res = new Resources(e.resources);
                    planText = JSON.stringify(toPlanDocument(e));
                });
                const domain = stack === "staging" ? "staging.example.com" : "example.com";

                it("sends through SES in each region, with SMTP credentials of its own, as a Pulumi secret", () => {
                    for (const region of regionsOf(stack)) {
                        assert.ok(coreSecretEnvIsSecret(res, region), "Core's secret settings are Pulumi secrets");
                        const url = new URL(coreSecret(res, region).EMAIL_URL);
                        assert.equal(url.protocol, "smtp:");
                        assert.equal(url.hostname, `email-smtp.${region}.amazonaws.com`);
                        assert.equal(url.port, "587");
                        assert.equal(url.search, "?tls=True");
                        assert.match(url.username, /^AKIA/);
                        assert.ok(url.password.length > 0);
                        assert.ok(!planText.includes(decodeURIComponent(url.password)), "the SMTP password never appears in the plan");
                        assert.equal(configMap(res, region).DEFAULT_FROM_EMAIL, `noreply@${domain}`);
                    }
                });

                it("verifies the sender's domain in SES with Easy DKIM records in the stack's zone", () => {
                    for (const region of regionsOf(stack)) {
                        assert.equal((res.one("aws:ses/domainIdentity:DomainIdentity", `${region}-mail`).inputs as any).domain, domain);
                        const records = res.ofType("aws:route53/record:Record").filter((r) => r.name.startsWith(`${region}-mail-dkim-`));
                        assert.equal(records.length, 3);
                        for (const r of records) {
                            const i = r.inputs as any;
                            assert.equal(i.type, "CNAME");
                            assert.ok(i.name.endsWith(`._domainkey.${domain}`), i.name);
                            assert.ok(i.records[0].endsWith(".dkim.amazonses.com"), i.records[0]);
                        }
                    }
                });

                it("lets the SMTP user send as the shop's identity and do nothing else", () => {
                    for (const region of regionsOf(stack)) {
                        const user = res.one("aws:iam/user:User", `${region}-mail`);
                        assert.equal((user.inputs as any).name, `saleor-${stack}-${region}-smtp`);
                        const policy = JSON.parse((res.one("aws:iam/userPolicy:UserPolicy", `${region}-mail-send`).inputs as any).policy);
                        assert.deepEqual(
                            policy.Statement.map((st: any) => [st.Effect, st.Action, st.Resource]),
                            [["Allow", "ses:SendRawEmail", `arn:aws:ses:${region}:123456789012:identity/${domain}`]],
                        );
                    }
                });
            });
        }

        it("saleor:emailUrl overrides SES: its value is EMAIL_URL and no SES resource is made", async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "email-"));
            const file = path.join(dir, "Pulumi.staging.yaml");
            const original = fs.readFileSync(path.join(__dirname, "..", "..", "Pulumi.staging.yaml"), "utf8");
            fs.writeFileSync(file, `${original}  saleor:emailUrl:\n    secure: v1:AAAA\n`);
            const result = await evaluateStack({ stack: "staging", configFile: file });
            assert.ok("evaluation" in result, JSON.stringify(result));
            const res = new Resources(result.evaluation.resources);
            assert.equal(res.ofType("aws:ses/domainIdentity:DomainIdentity").length, 0);
            assert.equal(res.ofType("aws:iam/accessKey:AccessKey").length, 0);
            for (const region of regionsOf("staging")) assert.equal(coreSecret(res, region).EMAIL_URL, "[secret]");
        });

        it("refuses a stack outside dev with no way to send mail, naming saleor:emailUrl", async () => {
            // Staging without a Route 53 zone (so no SES) and without emailUrl.
            const problems = await problemsOf("staging", { "saleor:operations": JSON.stringify({ edge: false, mediaCdn: false }) });
            assert.ok(
                problems.some((p) => p.startsWith("saleor:emailUrl: is required outside dev")),
                problems.join("\n"),
            );
        });

        it("refuses a sender address SES could not verify in the stack's zone, naming saleor:app.defaultFromEmail", async () => {
            const problems = await problemsOf("production", { "saleor:app": JSON.stringify({ defaultFromEmail: "shop@elsewhere.org" }) });
            assert.ok(
                problems.some((p) => p.startsWith("saleor:app.defaultFromEmail:")),
                problems.join("\n"),
            );
        });

        it("dev: mail goes to the in-cluster mail catcher", async () => {
            const res = new Resources((await evaluated("dev")).resources);
            assert.match(coreSecret(res, "local").EMAIL_URL, /^smtp:\/\/.+:1025\/$/);
        });
    });

    describe("README commands name objects the dev plan creates", () => {
        it("the Mailpit port-forward reaches a port the Mailpit pod or Service really has", async () => {
            const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
            const line = readme.split("\n").find((l) => /port-forward/.test(l) && /[Mm]ailpit/.test(l));
            assert.ok(line, "the README shows how to reach Mailpit");
            const command = /`(kubectl[^`]*port-forward[^`]*)`/.exec(line)![1];
            const port = Number(/\s(\d+)$/.exec(command)![1]);
            const res = new Resources((await evaluated("dev")).resources);
            const service = /port-forward svc\/([a-z0-9-]+)/.exec(command);
            if (service) {
                const found = res.ofType("kubernetes:core/v1:Service").filter((x) => (x.inputs as any).metadata.name === service[1]);
                assert.equal(
                    found.length,
                    1,
                    `no Service named ${service[1]} (Services with a fixed name are the only ones a README can name)`,
                );
                assert.ok((found[0].inputs as any).spec.ports.some((p: any) => p.port === port));
                return;
            }
            const label = /get pod -l ([^=\s]+)=([^\s)]+)/.exec(command);
            assert.ok(label, `cannot tell what ${command} forwards to`);
            const pods = [...res.ofType("kubernetes:apps/v1:Deployment"), ...res.ofType("kubernetes:argoproj.io/v1alpha1:Rollout")].filter(
                (d) => (d.inputs as any).spec.template.metadata.labels[label[1]] === label[2],
            );
            assert.equal(pods.length, 1);
            assert.ok(podSpec(pods[0]).containers.some((c: any) => c.ports.some((p: any) => p.containerPort === port)));
        });
    });

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
                // Both Dashboards and every market's storefront: either region may answer each of them.
                "https://dashboard.nl.example.com,https://dashboard.de.example.com,https://de.example.com,https://nl.example.com,https://be.example.com",
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
