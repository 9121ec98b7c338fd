import assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import { DataTier } from "../../components/data";
import { isSecret, registered, reveal, type Resources } from "../support/harness";

function inClusterTier(mailCatcher: boolean) {
    const provider = new k8s.Provider("k8s", {});
    const tier = new DataTier(
        "local-data",
        {
            inCluster: {
                namespace: "saleor",
                instance: "dev-local",
                postgresImage: "postgres:15.12-alpine",
                valkeyImage: "valkey/valkey:8.1.1-alpine",
                databaseStorage: "10Gi",
                mediaStorage: "5Gi",
                mailCatcherImage: mailCatcher ? "axllent/mailpit:v1.21.8" : undefined,
            },
        },
        { providers: [provider] },
    );
    return tier.connection;
}

describe("DataTier (in-cluster)", () => {
    let res: Resources;
    let connection: Record<string, unknown>;
    before(async () => {
        const { resources, result } = await (
            await import("../../automation/plan/evaluate")
        ).runUnderMocks("saleor", "dev", () => {
            const c = inClusterTier(true);
            return {
                databaseUrl: c.databaseUrl,
                databaseReplicaUrl: c.databaseReplicaUrl,
                cacheUrl: c.cacheUrl,
                brokerUrl: c.brokerUrl,
                smtpUrl: c.smtpUrl,
            };
        });
        res = new (await import("../support/harness")).Resources(resources);
        connection = result as Record<string, unknown>;
    });

    it("runs PostgreSQL 15+ on its own volume as the image's non-root postgres user", () => {
        const pg = res.one("kubernetes:apps/v1:StatefulSet", "local-data-postgres");
        const spec = (pg.inputs as any).spec;
        assert.match(spec.template.spec.containers[0].image, /^postgres:1[5-9]/);
        assert.equal(spec.template.spec.securityContext.runAsUser, 70);
        assert.equal(spec.volumeClaimTemplates[0].spec.resources.requests.storage, "10Gi");
        const env = spec.template.spec.containers[0].env;
        assert.ok(env.find((e: any) => e.name === "POSTGRES_PASSWORD").valueFrom.secretKeyRef, "the password comes from a Secret");
    });

    it("protects Valkey with a password that never appears in the pod spec", () => {
        const valkey = res.one("kubernetes:apps/v1:StatefulSet", "local-data-valkey");
        const c = (valkey.inputs as any).spec.template.spec.containers[0];
        assert.deepEqual(c.args.slice(0, 2), ["--requirepass", "$(VALKEY_PASSWORD)"]);
        const credentials = res.one("kubernetes:core/v1:Secret", "local-data-credentials");
        assert.ok(isSecret((credentials.inputs as any).stringData));
    });

    it("hands out cache on db 0 and the Celery broker on db 1, all as secrets", () => {
        for (const key of ["databaseUrl", "databaseReplicaUrl", "cacheUrl", "brokerUrl"]) assert.ok(isSecret(connection[key]), key);
        assert.match(reveal<string>(connection.cacheUrl), /^redis:\/\/:[A-Za-z0-9]+@saleor-valkey\.saleor\.svc\.cluster\.local:6379\/0$/);
        assert.match(reveal<string>(connection.brokerUrl), /:6379\/1$/);
        assert.match(
            reveal<string>(connection.databaseUrl),
            /^postgres:\/\/saleor:[A-Za-z0-9]+@saleor-postgres\.saleor\.svc\.cluster\.local:5432\/saleor$/,
        );
    });

    it("runs a mail catcher and points EMAIL_URL at its SMTP port", () => {
        assert.equal(res.component("kubernetes:apps/v1:Deployment", "mailpit").length, 1);
        assert.match(String(connection.smtpUrl), /^smtp:\/\/.+\.saleor\.svc\.cluster\.local:1025\/$/);
    });

    it("creates a media volume for Core to mount", () => {
        const pvc = res.one("kubernetes:core/v1:PersistentVolumeClaim", "local-data-media");
        assert.equal((pvc.inputs as any).spec.resources.requests.storage, "5Gi");
    });

    it("has no mail catcher unless asked", async () => {
        const r = await registered(() => inClusterTier(false));
        assert.equal(r.component("kubernetes:apps/v1:Deployment", "mailpit").length, 0);
    });
});
