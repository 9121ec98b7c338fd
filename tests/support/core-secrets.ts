import { isSecret, reveal, type Resources } from "./harness";

/**
 * The secret environment Core's pods in `region` get: the Secret Core writes itself (dev), or on
 * AWS the variables of every Secrets Manager secret the region's ExternalSecret syncs into the
 * Secret Core reads (later secrets win, as ESO's dataFrom does).
 */
export function coreSecretEnv(res: Resources, region: string): Record<string, string> {
    const own = res.ofType("kubernetes:core/v1:Secret").find((s) => s.name === `${region}-core-env`);
    if (own) return reveal<Record<string, string>>((own.inputs as any).stringData);
    const es = res.one("kubernetes:external-secrets.io/v1:ExternalSecret", `${region}-core-secrets`);
    const env: Record<string, string> = {};
    for (const { extract } of (es.inputs as any).spec.dataFrom as { extract: { key: string } }[]) {
        const secret = res.ofType("aws:secretsmanager/secret:Secret").find((s) => (s.inputs as any).name === extract.key);
        if (!secret) throw new Error(`no Secrets Manager secret named ${extract.key}`);
        const version = res.ofType("aws:secretsmanager/secretVersion:SecretVersion").find((v) => v.dependencies.includes(secret.urn));
        if (!version) throw new Error(`no value for ${extract.key}`);
        Object.assign(env, JSON.parse(reveal<string>((version.inputs as any).secretString)));
    }
    return env;
}

/** Whether every value of Core's secret environment in `region` is a Pulumi secret where Pulumi writes it. */
export function coreSecretEnvIsSecret(res: Resources, region: string): boolean {
    const own = res.ofType("kubernetes:core/v1:Secret").find((s) => s.name === `${region}-core-env`);
    if (own) return isSecret((own.inputs as any).stringData);
    const es = res.one("kubernetes:external-secrets.io/v1:ExternalSecret", `${region}-core-secrets`);
    const keys = new Set(((es.inputs as any).spec.dataFrom as { extract: { key: string } }[]).map((d) => d.extract.key));
    const secrets = res.ofType("aws:secretsmanager/secret:Secret").filter((s) => keys.has((s.inputs as any).name));
    const versions = res
        .ofType("aws:secretsmanager/secretVersion:SecretVersion")
        .filter((v) => secrets.some((s) => v.dependencies.includes(s.urn)));
    return versions.length === keys.size && versions.every((v) => isSecret((v.inputs as any).secretString));
}
