import { strict as assert } from "node:assert";
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { PolicyPackConfig } from "@pulumi/policy";
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { checkPlan, PlanCheckResult } from "../../policy/offline";
import { policies } from "../../policy/rules";
import { readStackConfig, STACKS, StackName, stackConfigPath } from "../../policy/table";
import { planOf } from "../support/plans";
import { Fixture, urnFor } from "../policy/harness";
import * as aws from "../policy/fixtures/aws";
import * as k8s from "../policy/fixtures/kubernetes";

/*
 * The policy pack through the engine's own door (pulumi/pulumi v3.248.0, the CLI of this SDK):
 *
 * - Start. `pulumi preview --policy-pack policy` boots a Node.js pack through the language host's
 *   RunPlugin (sdk/go/common/resource/plugin/analyzer_plugin.go NewPolicyAnalyzer), which locates
 *   `@pulumi/pulumi/cmd/run-policy-pack` with `node -e require.resolve(...)` in the pack's directory
 *   (sdk/nodejs/cmd/pulumi-language-nodejs/main.go locateModule), then runs
 *   `node <run-policy-pack> <engine address> <pack directory>` with the pack directory as working
 *   directory, PULUMI_NODEJS_TYPESCRIPT=true and PULUMI_NODEJS_{ORGANIZATION,PROJECT,STACK,DRY_RUN}
 *   (main.go RunPlugin). run-policy-pack drops the engine address and loads the directory; the
 *   pack (`new PolicyPack`) prints its port (@pulumi/policy 1.21 server.js serve).
 * - Config. The engine reads `--policy-pack-config` (pkg/resource/analyzer/config.go
 *   parsePolicyPackConfig), asks GetAnalyzerInfo for every policy's level and configSchema,
 *   injects `enforcementLevel` into each schema, fills in schema defaults, applies "all" and the
 *   file, validates each policy's properties with gojsonschema against
 *   {type: object, properties, required} (ReconcilePolicyPackConfig, convertSchema) and only then
 *   calls Configure with every policy (pkg/engine/update.go).
 * - Analysis. Every registered resource is sent to Analyze with its inputs, options and its
 *   provider's inputs (pkg/resource/deploy/step_generator.go analyzeAll); diagnostics are
 *   attributed to that resource (analyze_snapshot.go analyzeResource). AnalyzeStack gets every
 *   resource with parent, dependencies and provider; a diagnostic keeps its URN only if it names a
 *   resource of the stack, else it goes to the root stack (step_generator.go AnalyzeResources).
 *   Properties are marshalled keeping unknowns (the unknown sentinel) and secrets (envelopes) and
 *   skipping internal `__` keys (analyzer_plugin.go Analyze/AnalyzeStack).
 *
 * This spec plays the engine's part of that exchange against the real pack process, and holds the
 * verdicts (policy, level, URN and message) to `npm run policy`'s (policy/offline.ts checkPlan) on
 * the same plan and config. Properties cross the wire as a protobuf Struct, which hands them to the
 * pack with sorted object keys; the offline checker sorts them too. Left out: Handshake (the Node.js
 * pack does not implement it) and ConfigureStack (it only sets stack tags, which no rule reads and
 * the offline checker leaves empty, as the pack does without it).
 * What a plan cannot carry is out of reach: a provider's Check (the engine analyzes the inputs it
 * returns), previewed outputs (AnalyzeStack judges outputs; plans hold inputs), and secret values
 * (plans print "[secret]"; the engine unwraps the real value for the pack, see the last describe).
 */

const ROOT = path.resolve(__dirname, "..", "..");
const POLICY_DIR = path.join(ROOT, "policy");
const PROJECT = "saleor";
const ORGANIZATION = "organization";
const PACK_VERSION = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8")).version as string;

const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const analyzerPb = require(path.join(sdk, "proto", "analyzer_pb.js"));
const analyzerGrpc = require(path.join(sdk, "proto", "analyzer_grpc_pb.js"));
const { Empty } = require(require.resolve("google-protobuf/google/protobuf/empty_pb", { paths: [sdk] })) as { Empty: new () => unknown };
const { Struct } = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [sdk] })) as {
    Struct: { fromJavaScript(o: unknown): unknown };
};

type Level = "advisory" | "mandatory" | "remediate" | "disabled";
const LEVELS: readonly Level[] = ["advisory", "mandatory", "remediate", "disabled"];
const levelOfProto = (value: number): Level => {
    const entry = Object.entries(analyzerPb.EnforcementLevel as Record<string, number>).find(([, v]) => v === value);
    assert.ok(entry, `unknown enforcement level ${value}`);
    return entry[0].toLowerCase() as Level;
};
const protoOfLevel = (level: Level): number => (analyzerPb.EnforcementLevel as Record<string, number>)[level.toUpperCase()];

// ------------------------------------------------------------------------------------------------
// The pack process and its client
// ------------------------------------------------------------------------------------------------

interface Pack {
    readonly stack: string;
    readonly child: ChildProcess;
    readonly client: any;
    stderr: string;
}

/** main.go locateModule: what `node -e require.resolve(...)` answers in the pack's directory. */
function locateRunPolicyPack(): string {
    const script =
        "try { console.log(require.resolve('@pulumi/pulumi/cmd/run-policy-pack')); } catch (e) { console.error(e.message); process.exit(1); }";
    return execFileSync(process.execPath, ["-e", script], {
        cwd: POLICY_DIR,
        encoding: "utf8",
        env: { ...process.env, NODE_OPTIONS: "" },
    }).trim();
}

async function startPack(stack: string, runPolicyPack: string): Promise<Pack> {
    const child = spawn(
        process.execPath,
        // run-policy-pack/index.js shifts the engine address off and never dials it.
        [runPolicyPack, "127.0.0.1:0", POLICY_DIR],
        {
            cwd: POLICY_DIR,
            env: {
                ...process.env,
                // mocha's own loader must not leak into the pack's process.
                NODE_OPTIONS: "",
                PULUMI_NODEJS_TYPESCRIPT: "true",
                PULUMI_NODEJS_ORGANIZATION: ORGANIZATION,
                PULUMI_NODEJS_PROJECT: PROJECT,
                PULUMI_NODEJS_STACK: stack,
                PULUMI_NODEJS_DRY_RUN: "true",
            },
            stdio: ["ignore", "pipe", "pipe"],
        },
    );
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    let timer: NodeJS.Timeout | undefined;
    const port = await new Promise<number>((resolve, reject) => {
        let stdout = "";
        child.stdout!.on("data", (d: Buffer) => {
            // Read the first line (the port); keep draining after it so the pipe never fills.
            if (stdout.includes("\n")) return;
            stdout += d;
            const line = stdout.split("\n")[0].trim();
            if (!stdout.includes("\n")) return;
            if (/^\d+$/.test(line)) resolve(Number(line));
            else reject(new Error(`the pack printed ${JSON.stringify(line)} instead of a port\n${stderr}`));
        });
        child.on("exit", (code) => reject(new Error(`the pack exited (${code}) before printing its port:\n${stderr}`)));
        timer = setTimeout(() => reject(new Error(`the pack printed no port within 100 s:\n${stderr}`)), 100_000);
    }).catch((error: Error) => {
        child.kill();
        throw error;
    });
    clearTimeout(timer);
    const client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
        "grpc.max_receive_message_length": 400 * 1024 * 1024,
    });
    const pack: Pack = { stack, child, client, stderr };
    child.stderr!.on("data", () => (pack.stderr = stderr));
    return pack;
}

function call<T>(pack: Pack, method: string, request: unknown): Promise<T> {
    return new Promise((resolve, reject) =>
        pack.client[method](request, (err: Error | null, response: T) =>
            err ? reject(new Error(`${method}: ${err.message}\n${pack.stderr}`)) : resolve(response),
        ),
    );
}

// ------------------------------------------------------------------------------------------------
// The engine's side of the config (pkg/resource/analyzer/config.go, analyzer_plugin.go)
// ------------------------------------------------------------------------------------------------

type JSONSchema = Record<string, any>;

interface PolicyInfo {
    readonly name: string;
    readonly enforcementLevel: Level;
    readonly configSchema?: { properties: Record<string, JSONSchema>; required: string[] };
}

interface AnalyzerInfo {
    readonly name: string;
    readonly version: string;
    readonly supportsConfig: boolean;
    readonly policies: PolicyInfo[];
    readonly initialConfigSize: number;
}

interface PolicyConfig {
    enforcementLevel?: Level;
    properties?: Record<string, unknown>;
}

async function getAnalyzerInfo(pack: Pack): Promise<AnalyzerInfo> {
    const info = await call<any>(pack, "getAnalyzerInfo", new Empty());
    const supportsConfig: boolean = info.getSupportsconfig();
    const result: PolicyInfo[] = info.getPoliciesList().map((p: any) => {
        let configSchema: PolicyInfo["configSchema"];
        if (supportsConfig) {
            // analyzer_plugin.go GetAnalyzerInfo: properties and required cross the wire (nothing
            // else of the schema can), then the engine injects enforcementLevel.
            const schema = p.getConfigschema();
            configSchema = {
                properties: { ...((schema?.getProperties()?.toJavaScript() as Record<string, JSONSchema>) ?? {}) },
                required: schema?.getRequiredList() ?? [],
            };
            configSchema.properties.enforcementLevel = { type: "string", enum: ["advisory", "mandatory", "remediate", "disabled"] };
        }
        return { name: p.getName(), enforcementLevel: levelOfProto(p.getEnforcementlevel()), configSchema };
    });
    return {
        name: info.getName(),
        version: info.getVersion(),
        supportsConfig,
        policies: result,
        initialConfigSize: info.getInitialconfigMap().getLength(),
    };
}

/** config.go parsePolicyPackConfig: a string is a level; an object's enforcementLevel is pulled out of its properties. */
function parsePolicyPackConfig(document: unknown): Map<string, PolicyConfig> {
    const result = new Map<string, PolicyConfig>();
    for (const [key, value] of Object.entries(document as Record<string, unknown>)) {
        if (key === "environments") continue;
        if (typeof value === "string") {
            if (!LEVELS.includes(value as Level))
                throw new Error(`parsing enforcement level for "${key}": "${value}" is not a valid enforcement level`);
            result.set(key, { enforcementLevel: value as Level });
        } else if (typeof value === "object" && value !== null && !Array.isArray(value)) {
            const { enforcementLevel, ...properties } = value as Record<string, unknown>;
            if (enforcementLevel !== undefined && (typeof enforcementLevel !== "string" || !LEVELS.includes(enforcementLevel as Level))) {
                throw new Error(
                    `parsing enforcement level for "${key}": ${JSON.stringify(enforcementLevel)} is not a valid enforcement level`,
                );
            }
            const hasProperties = Object.keys(properties).length > 0;
            if (enforcementLevel === undefined && !hasProperties) continue;
            result.set(key, { enforcementLevel: enforcementLevel as Level | undefined, ...(hasProperties ? { properties } : {}) });
        } else {
            throw new Error(`parsing "${key}": ${JSON.stringify(value)} is not a valid value; must be a string or object`);
        }
    }
    return result;
}

/** config.go ReconcilePolicyPackConfig: defaults, then "all", then each entry; then validation. */
function reconcilePolicyPackConfig(
    infos: readonly PolicyInfo[],
    config: Map<string, PolicyConfig>,
): { config: Map<string, PolicyConfig>; errors: string[] } {
    const result = new Map<string, PolicyConfig>();
    for (const policy of infos) {
        let properties: Record<string, unknown> | undefined;
        for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
            if ("default" in schema) (properties ??= {})[key] = schema.default;
        }
        result.set(policy.name, { enforcementLevel: policy.enforcementLevel, properties });
    }
    const all = config.get("all");
    if (all?.enforcementLevel) {
        for (const [name, entry] of result) result.set(name, { enforcementLevel: all.enforcementLevel, properties: entry.properties });
    }
    for (const [name, given] of config) {
        const current = result.get(name);
        let properties = current?.properties;
        if (Object.keys(given.properties ?? {}).length > 0) properties = { ...(properties ?? {}), ...given.properties };
        result.set(name, { enforcementLevel: given.enforcementLevel ?? current?.enforcementLevel, properties });
    }
    const errors: string[] = [];
    for (const policy of infos) {
        if (!policy.configSchema) continue;
        const schema: JSONSchema = { type: "object" };
        if (Object.keys(policy.configSchema.properties).length > 0) schema.properties = policy.configSchema.properties;
        if (policy.configSchema.required.length > 0) schema.required = policy.configSchema.required;
        errors.push(...schemaErrors(result.get(policy.name)?.properties ?? {}, schema, "(root)").map((e) => `${policy.name}: ${e}`));
    }
    return { config: result, errors };
}

/**
 * gojsonschema's verdict for the keywords a policy schema can carry here. A keyword this function
 * does not know fails the spec rather than passing silently.
 */
function schemaErrors(value: unknown, schema: JSONSchema | boolean, where: string): string[] {
    if (schema === true) return [];
    if (schema === false) return [`${where}: not allowed`];
    const known = new Set([
        "type",
        "enum",
        "minimum",
        "pattern",
        "items",
        "properties",
        "additionalProperties",
        "required",
        "description",
        "default",
    ]);
    const unknownKeywords = Object.keys(schema).filter((k) => !known.has(k));
    assert.deepEqual(
        unknownKeywords,
        [],
        `${where}: the spec's validator does not know these keywords; teach it gojsonschema's rule for them`,
    );
    const isObject = typeof value === "object" && value !== null && !Array.isArray(value);
    if (schema.type !== undefined) {
        const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
        const is = (t: string) =>
            t === "integer"
                ? typeof value === "number" && Number.isInteger(value)
                : t === "number"
                  ? typeof value === "number"
                  : t === "array"
                    ? Array.isArray(value)
                    : t === "object"
                      ? isObject
                      : t === "null"
                        ? value === null
                        : typeof value === t;
        if (!types.some(is)) return [`${where}: Invalid type. Expected: ${types.join(", ")}`];
    }
    const errors: string[] = [];
    if (schema.enum !== undefined && !schema.enum.some((e: unknown) => JSON.stringify(e) === JSON.stringify(value))) {
        errors.push(`${where}: must be one of the following: ${schema.enum.map((e: unknown) => JSON.stringify(e)).join(", ")}`);
    }
    if (typeof value === "number" && schema.minimum !== undefined && value < schema.minimum) {
        errors.push(`${where}: Must be greater than or equal to ${schema.minimum}`);
    }
    if (typeof value === "string" && schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) {
        errors.push(`${where}: Does not match pattern '${schema.pattern}'`);
    }
    if (Array.isArray(value) && schema.items !== undefined) {
        value.forEach((item, i) =>
            errors.push(...schemaErrors(item, Array.isArray(schema.items) ? (schema.items[i] ?? true) : schema.items, `${where}.${i}`)),
        );
    }
    if (isObject) {
        const record = value as Record<string, unknown>;
        for (const key of schema.required ?? []) if (!(key in record)) errors.push(`${where}: ${key} is required`);
        for (const [key, item] of Object.entries(record)) {
            const property = schema.properties?.[key];
            if (property !== undefined) errors.push(...schemaErrors(item, property, `${where}.${key}`));
            else if (schema.additionalProperties !== undefined) {
                errors.push(
                    ...(schema.additionalProperties === false
                        ? [`${where}: Additional property ${key} is not allowed`]
                        : schemaErrors(item, schema.additionalProperties, `${where}.${key}`)),
                );
            }
        }
    }
    return errors.map((e) => e.replace(/^\(root\)\./, ""));
}

/** analyzer_plugin.go Configure: every reconciled entry, its properties as a Struct. */
async function configure(pack: Pack, config: Map<string, PolicyConfig>): Promise<void> {
    const request = new analyzerPb.ConfigureAnalyzerRequest();
    const map = request.getPolicyconfigMap();
    for (const [name, entry] of config) {
        assert.ok(entry.enforcementLevel && LEVELS.includes(entry.enforcementLevel), `invalid enforcement level for ${name}`);
        const policyConfig = new analyzerPb.PolicyConfig();
        policyConfig.setEnforcementlevel(protoOfLevel(entry.enforcementLevel));
        policyConfig.setProperties(Struct.fromJavaScript(entry.properties ?? {}));
        map.set(name, policyConfig);
    }
    await call(pack, "configure", request);
}

/** What the engine does between reading `--policy-pack-config` and analyzing the first resource. */
async function configureLikeTheEngine(pack: Pack, info: AnalyzerInfo, document: unknown): Promise<void> {
    const { config, errors } = reconcilePolicyPackConfig(info.policies, parsePolicyPackConfig(document));
    assert.deepEqual(errors, [], "validating policy config");
    await configure(pack, config);
}

// ------------------------------------------------------------------------------------------------
// Plans as the engine would send them
// ------------------------------------------------------------------------------------------------

interface PlanState {
    type: string;
    urn: string;
    custom?: boolean;
    parent?: string;
    provider?: string;
    inputs?: Record<string, unknown>;
    dependencies?: string[];
    protect?: boolean;
    deleteBeforeReplace?: boolean;
    ignoreChanges?: string[];
    aliases?: string[];
    customTimeouts?: { create?: number; update?: number; delete?: number };
}

interface Plan {
    stack: string;
    steps: { op: string; urn: string; newState?: PlanState }[];
}

const REMOVING_OPS = new Set(["delete", "delete-replaced", "discard", "discard-replaced", "remove-pending-replace"]);

/**
 * MarshalProperties(KeepUnknowns, KeepSecrets, SkipInternalKeys). The plan prints unknowns as
 * "[unknown]" and hides secrets as "[secret]": an unknown is the sentinel, a hidden secret is a
 * secret envelope around the sentinel (a preview's secret whose value is not known either).
 */
function marshal(value: unknown): unknown {
    if (value === "[unknown]") return unknownValue;
    if (value === "[secret]") return { [specialSigKey]: specialSecretSig, value: unknownValue };
    if (Array.isArray(value)) return value.map(marshal);
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(
            Object.entries(value)
                .filter(([key]) => !key.startsWith("__"))
                .map(([key, v]) => [key, marshal(v)]),
        );
    }
    return value;
}

const nameOf = (urn: string) => urn.split("::").slice(3).join("::");

interface EngineResource {
    readonly state: PlanState;
    readonly provider?: PlanState;
}

function resourcesOf(plan: Plan): EngineResource[] {
    const states = new Map<string, PlanState>();
    for (const step of plan.steps) {
        if (REMOVING_OPS.has(step.op) || !step.newState) continue;
        states.set(step.newState.urn, step.newState);
    }
    return [...states.values()].map((state) => {
        if (!state.provider) return { state };
        const urn = state.provider.slice(0, state.provider.lastIndexOf("::"));
        const provider = states.get(urn);
        assert.ok(provider, `${state.urn}: its provider ${urn} is not in the plan`);
        return { state, provider };
    });
}

function options(state: PlanState): unknown {
    const opts = new analyzerPb.AnalyzerResourceOptions();
    opts.setProtect(state.protect === true);
    opts.setIgnorechangesList(state.ignoreChanges ?? []);
    opts.setDeletebeforereplace(state.deleteBeforeReplace === true);
    opts.setDeletebeforereplacedefined(typeof state.deleteBeforeReplace === "boolean");
    opts.setAdditionalsecretoutputsList([]);
    opts.setAliasesList(state.aliases ?? []);
    const timeouts = new analyzerPb.AnalyzerResourceOptions.CustomTimeouts();
    timeouts.setCreate(state.customTimeouts?.create ?? 0);
    timeouts.setUpdate(state.customTimeouts?.update ?? 0);
    timeouts.setDelete(state.customTimeouts?.delete ?? 0);
    opts.setCustomtimeouts(timeouts);
    opts.setParent(state.parent ?? "");
    return opts;
}

function providerMessage(provider: PlanState | undefined): unknown {
    if (!provider) return undefined;
    const message = new analyzerPb.AnalyzerProviderResource();
    message.setUrn(provider.urn);
    message.setType(provider.type);
    message.setName(nameOf(provider.urn));
    message.setProperties(Struct.fromJavaScript(marshal(provider.inputs ?? {})));
    return message;
}

interface Verdict {
    readonly policyName: string;
    readonly enforcementLevel: "advisory" | "mandatory";
    readonly urn: string;
    readonly message: string;
}

interface Verdicts {
    readonly violations: string[];
    /** Checks the pack could not run for an unknown value ("can't run policy ... during preview"). */
    readonly skipped: string[];
}

const show = (v: Verdict) => `${v.enforcementLevel} ${v.policyName} ${v.urn}\n    ${v.message.replace(/\n/g, "\n    ")}`;
const CANT_RUN = /^can't run policy '([^']+)' from policy pack '[^']+' during preview: /;

function diagnosticsOf(response: any, attribute: (urn: string) => string): Verdict[] {
    return response.getDiagnosticsList().map((d: any) => {
        assert.equal(d.getPolicypackname(), "saleor-guard");
        let level = levelOfProto(d.getEnforcementlevel());
        // The engine downgrades remediate to mandatory (analyze_snapshot.go, step_generator.go).
        if (level === "remediate") level = "mandatory";
        assert.ok(level === "advisory" || level === "mandatory", `${d.getPolicyname()}: ${level}`);
        return { policyName: d.getPolicyname(), enforcementLevel: level, urn: attribute(d.getUrn()), message: d.getMessage() };
    });
}

/** Everything the engine would report for a plan: Analyze per resource, then AnalyzeStack once. */
async function analyzeThroughTheDoor(pack: Pack, plan: Plan): Promise<Verdicts> {
    const resources = resourcesOf(plan);
    const verdicts: Verdict[] = [];
    const queue = [...resources];
    const worker = async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
            const { state, provider } = next;
            const request = new analyzerPb.AnalyzeRequest();
            request.setUrn(state.urn);
            request.setType(state.type);
            request.setName(nameOf(state.urn));
            request.setProperties(Struct.fromJavaScript(marshal(state.inputs ?? {})));
            request.setOptions(options(state));
            if (provider) request.setProvider(providerMessage(provider));
            const response = await call(pack, "analyze", request);
            verdicts.push(...diagnosticsOf(response, () => state.urn));
        }
    };
    await Promise.all(Array.from({ length: 8 }, worker));

    const stackRequest = new analyzerPb.AnalyzeStackRequest();
    stackRequest.setResourcesList(
        resources.map(({ state, provider }) => {
            const resource = new analyzerPb.AnalyzerResource();
            resource.setUrn(state.urn);
            resource.setType(state.type);
            resource.setName(nameOf(state.urn));
            resource.setProperties(Struct.fromJavaScript(marshal(state.inputs ?? {})));
            resource.setOptions(options(state));
            if (provider) resource.setProvider(providerMessage(provider));
            resource.setParent(state.parent ?? "");
            resource.setDependenciesList(state.dependencies ?? []);
            return resource;
        }),
    );
    const urns = new Set(resources.map((r) => r.state.urn));
    const rootStack = `urn:pulumi:${plan.stack}::${PROJECT}::pulumi:pulumi:Stack::${PROJECT}-${plan.stack}`;
    const stackResponse = await call(pack, "analyzeStack", stackRequest);
    verdicts.push(...diagnosticsOf(stackResponse, (urn) => (urn !== "" && urns.has(urn) ? urn : rootStack)));

    const violations: string[] = [];
    const skipped: string[] = [];
    for (const v of verdicts) {
        const cantRun = CANT_RUN.exec(v.message);
        if (cantRun) skipped.push(`${v.policyName} ${v.urn}`);
        else violations.push(show(v));
    }
    return { violations: violations.sort(), skipped: skipped.sort() };
}

/** `npm run policy`'s verdicts, with each message as the analyzer words it: the description, then the detail. */
async function analyzeOffline(plan: Plan, config: PolicyPackConfig): Promise<Verdicts> {
    const result: PlanCheckResult = await checkPlan(plan, config);
    const descriptions = new Map(policies.map((p) => [p.name, p.description]));
    return {
        violations: result.violations
            .map((v) =>
                show({ ...v, message: v.message ? `${descriptions.get(v.policyName)}\n${v.message}` : descriptions.get(v.policyName)! }),
            )
            .sort(),
        skipped: result.skipped.map((s) => `${s.policyName} ${s.urn}`).sort(),
    };
}

// ------------------------------------------------------------------------------------------------
// Injected violations: the policy specs' fixtures, one or more per rule
// ------------------------------------------------------------------------------------------------

interface Case {
    readonly title: string;
    /** The rules this case must trip under production's config. */
    readonly rules: readonly string[];
    readonly fixtures: readonly Fixture[];
}

const world = { cidrBlocks: ["0.0.0.0/0"] };
const compliantContext = { privileged: false, allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ["ALL"] } };
const withSecurity = (securityContext: object, extra: object = {}) => k8s.container({ securityContext, ...extra });
const sized = (requests: unknown, limits: unknown) => k8s.container({ resources: { requests, limits } });
const beatCommand = ["celery", "--app", "saleor.celeryconf:app", "beat", "--scheduler", "saleor.schedulers.schedulers.DatabaseScheduler"];
const beat = (name: string, replicas: number, strategy?: string) =>
    k8s.deployment({
        name,
        component: "beat",
        replicas,
        containers: [k8s.container({ name: "beat", args: beatCommand })],
        spec: strategy ? { strategy: { type: strategy } } : {},
    });
const hosts = (...names: string[]) => names.map((host) => ({ host, http: { paths: [{ path: "/", pathType: "Prefix" }] } }));
const backupRule = (schedule: string, deleteAfter: number) => ({
    ruleName: "six-hourly",
    targetVaultName: "saleor",
    schedule,
    lifecycle: { deleteAfter },
});
const inRegion = (fixture: Fixture, region: string, name = fixture.name): Fixture => ({
    ...fixture,
    name,
    provider: aws.awsProvider(region),
});
const media = aws.bucket("media");
const repository = aws.ecrRepository();

const CASES: readonly Case[] = [
    {
        title: "an unencrypted RDS instance",
        rules: ["aws-rds-instance-storage-encrypted"],
        fixtures: [aws.rdsInstance({ storageEncrypted: false })],
    },
    {
        title: "a public RDS instance",
        rules: ["aws-rds-instance-not-publicly-accessible"],
        fixtures: [aws.rdsInstance({ publiclyAccessible: true })],
    },
    {
        title: "RDS backups kept 7 days",
        rules: ["aws-rds-instance-backup-retention-minimum"],
        fixtures: [aws.rdsInstance({ backupRetentionPeriod: 7 })],
    },
    {
        title: "RDS without deletion protection",
        rules: ["aws-rds-instance-deletion-protection-enabled"],
        fixtures: [aws.rdsInstance({ deletionProtection: false })],
    },
    { title: "a single-AZ RDS instance", rules: ["aws-rds-instance-multi-az-enabled"], fixtures: [aws.rdsInstance({ multiAz: false })] },
    {
        title: "an RDS master password set by the program",
        rules: ["aws-rds-instance-master-password-managed"],
        fixtures: [aws.rdsInstance({ manageMasterUserPassword: undefined, password: "hunter2hunter2" })],
    },
    {
        title: "a burstable RDS class outside the list",
        rules: ["aws-rds-instance-no-burstable-class", "aws-rds-instance-class-allowed"],
        fixtures: [aws.rdsInstance({ instanceClass: "db.t4g.large" })],
    },
    {
        title: "an RDS class outside the list",
        rules: ["aws-rds-instance-class-allowed"],
        fixtures: [aws.rdsInstance({ instanceClass: "db.x2g.large" })],
    },
    {
        title: "a cache without encryption or AUTH",
        rules: [
            "aws-elasticache-replication-group-at-rest-encryption-enabled",
            "aws-elasticache-replication-group-in-transit-encryption-enabled",
            "aws-elasticache-replication-group-auth-token-set",
        ],
        fixtures: [aws.replicationGroup({ atRestEncryptionEnabled: false, transitEncryptionEnabled: undefined, authToken: undefined })],
    },
    {
        title: "a cache without Multi-AZ failover",
        rules: ["aws-elasticache-replication-group-multi-az-failover-enabled"],
        fixtures: [aws.replicationGroup({ multiAzEnabled: false, automaticFailoverEnabled: false })],
    },
    {
        title: "an ECR repository with mutable tags, no scanning and no lifecycle policy",
        rules: ["aws-ecr-repository-scan-on-push", "aws-ecr-repository-tags-immutable", "aws-ecr-repository-lifecycle-policy-attached"],
        fixtures: [aws.ecrRepository({ imageScanningConfiguration: undefined, imageTagMutability: "MUTABLE" })],
    },
    {
        title: "a KMS key that never rotates",
        rules: ["aws-kms-key-rotation-enabled"],
        fixtures: [aws.kmsKey({ enableKeyRotation: false })],
    },
    {
        title: "a Secrets Manager secret under the AWS managed key",
        rules: ["aws-secretsmanager-secret-customer-managed-key"],
        fixtures: [aws.secretsManagerSecret({ kmsKeyId: undefined })],
    },
    {
        title: "SSH, PostgreSQL and Valkey open to the world through all three rule types",
        rules: ["aws-security-group-no-public-ingress"],
        fixtures: [
            aws.securityGroup([{ protocol: "tcp", fromPort: 22, toPort: 22, ...world }]),
            aws.securityGroupRule({ fromPort: 5432, toPort: 5432, ...world }),
            aws.vpcIngressRule({ fromPort: 6379, toPort: 6379, cidrIpv4: "0.0.0.0/0" }),
        ],
    },
    {
        title: "an EKS cluster open to the internet, logging little, Secrets unencrypted",
        rules: [
            "aws-eks-cluster-public-endpoint-restricted",
            "aws-eks-cluster-control-plane-logging-enabled",
            "aws-eks-cluster-secrets-encrypted",
        ],
        fixtures: [
            inRegion(
                aws.eksCluster({
                    vpcConfig: { subnetIds: ["subnet-1"], endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] },
                    enabledClusterLogTypes: ["api", "audit"],
                    encryptionConfig: undefined,
                }),
                "eu-central-1",
            ),
            inRegion({ ...aws.eksCluster(), name: "secondary" }, "eu-west-1"),
        ],
    },
    {
        title: "node groups of a disallowed type, too small and too large",
        rules: ["aws-eks-node-group-instance-type-allowed", "aws-eks-node-group-min-size", "aws-eks-node-group-max-size"],
        fixtures: [
            aws.nodeGroup({ instanceTypes: ["t3.large"] }, "burstable"),
            aws.nodeGroup({ scalingConfig: { minSize: 1, desiredSize: 2, maxSize: 6 } }, "shrinking"),
            aws.nodeGroup({ scalingConfig: { minSize: 3, desiredSize: 3, maxSize: 12 } }, "growing"),
        ],
    },
    {
        title: "node groups beyond the vCPU budget",
        rules: ["aws-eks-node-groups-vcpu-budget"],
        fixtures: [
            aws.nodeGroup({}, "primary"),
            aws.nodeGroup({}, "secondary"),
            aws.nodeGroup({ instanceTypes: ["c7i.4xlarge"], scalingConfig: { minSize: 2, maxSize: 4 } }, "batch"),
        ],
    },
    {
        title: "an instance type the vCPU table does not know, reported on its node group",
        rules: ["aws-eks-node-groups-vcpu-budget"],
        fixtures: [aws.nodeGroup({ instanceTypes: ["x2idn.metal"] }, "odd")],
    },
    {
        title: "a role any account's EC2 could be made to assume",
        rules: ["aws-iam-role-trust-service-conditioned"],
        fixtures: [
            {
                type: "aws:iam/role:Role",
                name: "bare-trust",
                props: {
                    assumeRolePolicy: JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
                    }),
                },
            },
        ],
    },
    {
        title: "a NetworkPolicy admitting its whole VPC",
        rules: ["kubernetes-network-policy-no-whole-vpc"],
        fixtures: [
            { type: "aws:ec2/vpc:Vpc", name: "vpc", props: { cidrBlock: "10.10.0.0/16" } },
            {
                type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
                name: "whole-vpc",
                props: {
                    metadata: { namespace: "saleor" },
                    spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: "10.10.0.0/16" } }] }] },
                },
            },
        ],
    },
    {
        title: "full administrator access in a Policy and a RolePolicy",
        rules: ["aws-iam-policy-no-full-admin"],
        fixtures: [
            aws.iamPolicy([{ Sid: "Everything", Effect: "Allow", Action: "*", Resource: "*" }]),
            aws.iamPolicy([{ Effect: "Allow", Action: ["s3:GetObject", "*"], Resource: ["*"] }], "RolePolicy"),
        ],
    },
    {
        title: "a privileged container and a privileged init container in a CronJob",
        rules: ["kubernetes-workload-no-privileged-containers"],
        fixtures: [
            k8s.deployment({ containers: [withSecurity({ ...compliantContext, privileged: true })] }),
            k8s.workload("CronJob", {
                name: "nightly",
                initContainers: [withSecurity({ ...compliantContext, privileged: true }, { name: "chown" })],
            }),
        ],
    },
    {
        title: "a container that may escalate and keeps its capabilities",
        rules: ["kubernetes-workload-no-privilege-escalation", "kubernetes-workload-drops-all-capabilities"],
        fixtures: [k8s.deployment({ containers: [withSecurity({ runAsNonRoot: true, capabilities: { drop: ["NET_RAW"] } })] })],
    },
    {
        title: "a StatefulSet that may run as root",
        rules: ["kubernetes-workload-runs-as-non-root"],
        fixtures: [
            k8s.workload("StatefulSet", {
                pod: { securityContext: {} },
                containers: [withSecurity({ ...compliantContext, runAsNonRoot: undefined })],
            }),
        ],
    },
    {
        title: "a DaemonSet with a hostPath volume on the host network",
        rules: ["kubernetes-workload-no-host-path-volumes", "kubernetes-workload-no-host-namespaces"],
        fixtures: [
            k8s.workload("DaemonSet", {
                pod: { hostNetwork: true, volumes: [{ name: "docker", hostPath: { path: "/var/run/docker.sock" } }] },
            }),
        ],
    },
    {
        title: "containers without limits, above the ceiling and below the guide",
        rules: ["kubernetes-workload-resources-specified", "kubernetes-workload-resources-within-range"],
        fixtures: [
            k8s.deployment({ name: "unlimited", containers: [k8s.container({ resources: { requests: { cpu: "1", memory: "2Gi" } } })] }),
            k8s.deployment({ name: "huge", containers: [sized({ cpu: "1", memory: "2Gi" }, { cpu: "2", memory: "8Gi" })] }),
            k8s.deployment({ name: "small", containers: [sized({ cpu: "500m", memory: "1Gi" }, { cpu: "2", memory: "4Gi" })] }),
            k8s.deployment({
                name: "worker",
                component: "worker",
                containers: [sized({ cpu: "250m", memory: "1Gi" }, { cpu: "500m", memory: "2Gi" })],
            }),
        ],
    },
    {
        title: "a StatefulSet without probes",
        rules: ["kubernetes-workload-health-probes"],
        fixtures: [
            k8s.workload("StatefulSet", {
                component: "valkey",
                containers: [k8s.container({ name: "valkey", livenessProbe: undefined, readinessProbe: undefined })],
            }),
        ],
    },
    {
        title: "unpinned images and images from other registries",
        rules: ["kubernetes-workload-image-pinned", "kubernetes-workload-image-registry-allowed"],
        fixtures: [
            k8s.deployment({ name: "untagged", containers: [k8s.container({ image: "ghcr.io/saleor/saleor" })] }),
            k8s.deployment({ name: "latest", containers: [k8s.container({ image: "postgres:latest" })] }),
            k8s.deployment({ name: "hub", containers: [k8s.container({ image: "valkey/valkey:8.1-alpine" })] }),
            k8s.deployment({
                name: "ecr-us",
                containers: [k8s.container({ image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/saleor-storefront:1" })],
            }),
        ],
    },
    {
        title: "secrets in plain env values",
        rules: ["kubernetes-workload-no-plaintext-secret-env"],
        fixtures: [
            k8s.deployment({
                containers: [
                    k8s.container({
                        env: [
                            { name: "SECRET_KEY", value: "hunter2-very-secret" },
                            { name: "DATABASE_URL", value: "postgres://saleor:saleor@db:5432/saleor" },
                        ],
                    }),
                ],
                initContainers: [k8s.container({ name: "wait", env: [{ name: "PGPASSWORD", value: "x" }] })],
            }),
        ],
    },
    {
        title: "two beat schedulers, one with two replicas, one rolling",
        rules: ["kubernetes-celery-beat-single-replica", "kubernetes-celery-beat-one-per-stack"],
        fixtures: [beat("beat-de", 2, "Recreate"), beat("beat-nl", 1)],
    },
    {
        title: "an Argo Rollout whose canary runs no analysis",
        rules: ["kubernetes-rollout-canary-with-analysis"],
        fixtures: [k8s.rollout()],
    },
    {
        title: "a Job and a CronJob loading demo data",
        rules: ["kubernetes-no-demo-data-job"],
        fixtures: [
            k8s.workload("Job", {
                name: "demo-data",
                component: "demo-data",
                containers: [
                    k8s.container({
                        name: "populatedb",
                        args: undefined,
                        command: ["python3", "manage.py", "populatedb", "--createsuperuser"],
                    }),
                ],
            }),
            k8s.workload("CronJob", {
                name: "demo-refresh",
                component: "demo-data",
                containers: [k8s.container({ name: "populatedb", args: ["python3", "manage.py", "populatedb"] })],
            }),
        ],
    },
    { title: "a LoadBalancer Service", rules: ["kubernetes-service-no-load-balancer"], fixtures: [k8s.service("LoadBalancer")] },
    {
        title: "Ingresses without TLS, and internet-facing ALBs without WAFv2",
        rules: ["kubernetes-ingress-tls-enabled", "kubernetes-ingress-alb-waf-enabled"],
        fixtures: [
            k8s.ingress(
                { rules: hosts("api.example.com", "shop.example.com"), tls: [{ hosts: ["api.example.com"], secretName: "api-tls" }] },
                {},
                "partial",
            ),
            k8s.ingress(
                { ingressClassName: "alb", rules: hosts("alb.example.com") },
                { "alb.ingress.kubernetes.io/scheme": "internet-facing" },
                "alb",
            ),
            k8s.ingress(
                { rules: hosts("classic.example.com"), tls: [{ hosts: ["classic.example.com"] }] },
                {
                    "kubernetes.io/ingress.class": "alb",
                    "alb.ingress.kubernetes.io/scheme": "internet-facing",
                    "alb.ingress.kubernetes.io/waf-acl-id": "x",
                },
                "classic",
            ),
        ],
    },
    {
        title: "a bucket without companions",
        rules: ["aws-s3-bucket-public-access-blocked", "aws-s3-bucket-server-side-encrypted", "aws-s3-bucket-versioning-enabled"],
        fixtures: [media],
    },
    {
        title: "a bucket whose companions are wrong, reported on the companions",
        rules: ["aws-s3-bucket-public-access-blocked", "aws-s3-bucket-server-side-encrypted", "aws-s3-bucket-versioning-enabled"],
        fixtures: [
            media,
            aws.publicAccessBlock(media, { restrictPublicBuckets: false }),
            aws.bucketEncryption(media, { rules: [{ bucketKeyEnabled: true }] }),
            aws.bucketVersioning(media, { versioningConfiguration: { status: "Suspended" } }),
        ],
    },
    {
        title: "a second repository without a lifecycle policy",
        rules: ["aws-ecr-repository-lifecycle-policy-attached"],
        fixtures: [repository, aws.ecrLifecyclePolicy(repository), aws.ecrRepository({}, "saleor-storefront")],
    },
    {
        title: "a Core Deployment that does not wait for the migration",
        rules: ["kubernetes-saleor-core-waits-for-migration"],
        fixtures: [k8s.migrationJob(), k8s.deployment()],
    },
    {
        title: "a replicated Deployment and an HPA-scaled one without a disruption budget",
        rules: ["kubernetes-deployment-pod-disruption-budget"],
        fixtures: [
            k8s.deployment({ name: "api", replicas: 3, dependencies: [urnFor(k8s.migrationJob())] }),
            k8s.migrationJob(),
            k8s.deployment({
                name: "dashboard",
                component: "dashboard",
                containers: [k8s.container({ image: "ghcr.io/saleor/saleor-dashboard:3.20.0" })],
            }),
            { ...k8s.horizontalPodAutoscaler("dashboard"), name: "dashboard-hpa" },
        ],
    },
    {
        title: "EKS in one region only",
        rules: ["aws-stack-multi-region"],
        fixtures: [inRegion(aws.eksCluster(), "eu-central-1", "primary"), inRegion(media, "eu-west-1")],
    },
    {
        title: "RDS without a backup plan, reported on the stack",
        rules: ["aws-backup-plan-frequency-and-retention"],
        fixtures: [aws.rdsInstance()],
    },
    {
        title: "a daily backup plan kept a week, reported on the plan",
        rules: ["aws-backup-plan-frequency-and-retention"],
        fixtures: [aws.rdsInstance(), aws.backupPlan([backupRule("cron(0 3 * * ? *)", 7)])],
    },
];

/** An offline plan (the `npm run plan -- --json` shape) holding a case: the stack, providers, then the fixtures. */
function casePlan(stack: string, fixtures: readonly Fixture[]): Plan {
    const retarget = (urn: string) => urn.replace("urn:pulumi:test::", `urn:pulumi:${stack}::`);
    const stackUrn = `urn:pulumi:${stack}::${PROJECT}::pulumi:pulumi:Stack::${PROJECT}-${stack}`;
    const state = (type: string, urn: string, extra: Partial<PlanState>): PlanState => ({
        type,
        urn,
        custom: true,
        parent: stackUrn,
        inputs: {},
        dependencies: [],
        protect: false,
        ...extra,
    });
    const steps: Plan["steps"] = [
        { op: "create", urn: stackUrn, newState: state("pulumi:pulumi:Stack", stackUrn, { custom: false, parent: "" }) },
    ];
    const providers = new Map<string, string>();
    const providerRef = (type: string, name: string, inputs: Record<string, unknown>) => {
        const urn = `urn:pulumi:${stack}::${PROJECT}::${type}::${name}`;
        if (!providers.has(urn)) {
            providers.set(urn, `${urn}::${name}-id`);
            steps.push({ op: "create", urn, newState: state(type, urn, { inputs }) });
        }
        return providers.get(urn)!;
    };
    for (const fixture of fixtures) {
        const pkg = fixture.type.split(":")[0];
        const provider = fixture.provider
            ? providerRef(fixture.provider.type, fixture.provider.name ?? "default", fixture.provider.props)
            : providerRef(`pulumi:providers:${pkg}`, "default", pkg === "aws" ? { region: "eu-central-1" } : {});
        const urn = retarget(urnFor(fixture));
        steps.push({
            op: "create",
            urn,
            newState: state(fixture.type, urn, {
                provider,
                inputs: fixture.props,
                dependencies: (fixture.dependencies ?? []).map(retarget),
            }),
        });
    }
    // Through JSON, as a plan file would be: undefined fields are absent.
    return JSON.parse(JSON.stringify({ stack, steps }));
}

// ------------------------------------------------------------------------------------------------

describe("the policy pack through the engine's analyzer door", function () {
    // ts-node compiles and type-checks the pack in a fresh process.
    this.timeout(120_000);

    // The engine starts one pack per `pulumi preview`. The pack reads neither the stack nor its
    // config, and Configure replaces the whole policy config (server.js configure), so one process
    // reconfigured per stack answers as three would, in a third of the start-up time.
    let pack: Pack;
    let info: AnalyzerInfo;
    const configureFor = (stack: StackName) =>
        configureLikeTheEngine(pack, info, JSON.parse(fs.readFileSync(stackConfigPath(stack), "utf8")));
    const reconcileErrors = (document: unknown) => reconcilePolicyPackConfig(info.policies, parsePolicyPackConfig(document)).errors;

    before(async function () {
        this.timeout(120_000);
        pack = await startPack("production", locateRunPolicyPack());
        info = await getAnalyzerInfo(pack);
    });

    after(() => {
        pack?.client.close();
        pack?.child.kill();
    });

    it("starts from policy/ through run-policy-pack and describes the pack rules.ts lists", () => {
        assert.equal(info.name, "saleor-guard");
        assert.equal(info.version, PACK_VERSION, "PolicyPack reads its version from policy/package.json");
        assert.equal(info.supportsConfig, true);
        assert.equal(info.initialConfigSize, 0);
        assert.deepEqual(
            info.policies.map((p) => `${p.name} ${p.enforcementLevel}`),
            policies.map((p) => `${p.name} ${p.enforcementLevel}`),
        );
        for (const policy of policies) {
            const wire = info.policies.find((p) => p.name === policy.name)!;
            const { enforcementLevel: _injected, ...properties } = wire.configSchema!.properties;
            assert.deepEqual(properties, JSON.parse(JSON.stringify(policy.configSchema?.properties ?? {})), policy.name);
        }
    });

    describe("--policy-pack-config as the engine reads and validates it", () => {
        for (const stack of STACKS) {
            it(`policy/config/${stack}.json passes as committed`, () =>
                assert.deepEqual(reconcileErrors(JSON.parse(fs.readFileSync(stackConfigPath(stack), "utf8"))), []));
        }

        const production = () => readStackConfig("production") as Record<string, any>;

        it("a threshold of the wrong type fails validation, in both doors", async () => {
            const document: Record<string, any> = {
                ...production(),
                "aws-rds-instance-backup-retention-minimum": { enforcementLevel: "mandatory", minDays: "thirty" },
            };
            assert.deepEqual(reconcileErrors(document), [
                "aws-rds-instance-backup-retention-minimum: minDays: Invalid type. Expected: integer",
            ]);
            await assert.rejects(checkPlan(casePlan("production", []), document), /minDays/);
        });

        it("a key a nested schema closes (additionalProperties: false) fails validation, in both doors", async () => {
            const entry = production()["kubernetes-workload-resources-within-range"];
            const document: Record<string, any> = {
                ...production(),
                "kubernetes-workload-resources-within-range": { ...entry, maxLimits: { cpu: "4", gpu: "1" } },
            };
            assert.deepEqual(reconcileErrors(document), [
                "kubernetes-workload-resources-within-range: maxLimits: Additional property gpu is not allowed",
            ]);
            await assert.rejects(checkPlan(casePlan("production", []), document), /gpu/);
        });

        it("a quantity that is no Kubernetes quantity fails validation, in both doors", async () => {
            const entry = production()["kubernetes-workload-resources-within-range"];
            const document = { ...production(), "kubernetes-workload-resources-within-range": { ...entry, maxLimits: { cpu: "4 cores" } } };
            assert.match(reconcileErrors(document).join("\n"), /maxLimits\.cpu: Does not match pattern/);
            await assert.rejects(checkPlan(casePlan("production", []), document), /4 cores/);
        });

        it("an unknown enforcement level is refused while the file is read", () =>
            assert.throws(
                () => parsePolicyPackConfig({ "aws-kms-key-rotation-enabled": { enforcementLevel: "strict" } }),
                /"strict" is not a valid enforcement level/,
            ));

        it("an undeclared key such as `reason` passes: only properties and required reach the engine, never additionalProperties", async () => {
            const document = production();
            document["aws-kms-key-rotation-enabled"] = { enforcementLevel: "mandatory", reason: "no schema at all" };
            document["aws-rds-instance-backup-retention-minimum"] = {
                enforcementLevel: "mandatory",
                minDays: 30,
                reason: "beside a schema",
            };
            document["aws-eks-node-group-min-size"] = { enforcementLevel: "mandatory", minNode: 1 };
            assert.deepEqual(reconcileErrors(document), []);
            await checkPlan(casePlan("production", []), document);
        });
    });

    /** Rules each stack's config made the door report, over all injected cases. */
    const seen = new Map<StackName, Set<string>>(STACKS.map((s) => [s, new Set<string>()]));

    for (const stack of STACKS) {
        describe(`${stack}: Configure with policy/config/${stack}.json, then the verdicts equal npm run policy's`, () => {
            before(() => configureFor(stack));

            it(`the clean ${stack} plan`, async () => {
                const plan = (await planOf(stack)) as unknown as Plan;
                const [door, offline] = await Promise.all([
                    analyzeThroughTheDoor(pack, plan),
                    analyzeOffline(plan, readStackConfig(stack)),
                ]);
                assert.deepEqual(door, offline);
                assert.deepEqual(door, { violations: [], skipped: [] }, "the committed plans are clean");
            });

            for (const c of CASES) {
                it(`injected: ${c.title}`, async () => {
                    const plan = casePlan(stack, c.fixtures);
                    const door = await analyzeThroughTheDoor(pack, plan);
                    assert.deepEqual(door, await analyzeOffline(plan, readStackConfig(stack)));
                    const tripped = new Set(door.violations.map((line) => line.split(" ")[1]));
                    tripped.forEach((rule) => seen.get(stack)!.add(rule));
                    if (stack === "production") {
                        assert.deepEqual(
                            c.rules.filter((rule) => !tripped.has(rule)),
                            [],
                            `the case must trip its rules; it tripped:\n${door.violations.join("\n")}`,
                        );
                    }
                });
            }
        });
    }

    describe("what the injected cases covered", () => {
        it("every rule of the pack was reported at least once under production's config", () =>
            assert.deepEqual(
                policies.map((p) => p.name).filter((name) => !seen.get("production")!.has(name)),
                [],
            ));

        it("a rule a stack disables was never reported for it, by either door", () => {
            for (const stack of STACKS) {
                const config = readStackConfig(stack) as Record<string, { enforcementLevel: string }>;
                const disabled = policies.map((p) => p.name).filter((name) => config[name].enforcementLevel === "disabled");
                assert.ok(disabled.length > 0 || stack === "production", stack);
                assert.deepEqual(
                    disabled.filter((name) => seen.get(stack)!.has(name)),
                    [],
                    stack,
                );
            }
        });
    });

    describe("where the doors differ: secrets", () => {
        before(() => configureFor("production"));

        it("the engine hands the pack a secret's plaintext, so a secret env value is judged; a plan's [secret] never is", async () => {
            const api = k8s.deployment({ containers: [k8s.container({ env: [{ name: "SECRET_KEY", value: "[secret]" }] })] });
            const plan = casePlan("production", [api]);
            const offline = await analyzeOffline(plan, readStackConfig("production"));
            assert.ok(!offline.violations.some((line) => line.includes(" kubernetes-workload-no-plaintext-secret-env ")));
            assert.deepEqual(await analyzeThroughTheDoor(pack, plan), offline);

            // What the engine sends when the program made the value a known secret (KeepSecrets).
            const state = plan.steps.find((s) => s.newState?.type === api.type)!.newState!;
            const inputs = JSON.parse(JSON.stringify(state.inputs));
            inputs.spec.template.spec.containers[0].env[0].value = { [specialSigKey]: specialSecretSig, value: "hunter2-very-secret" };
            const request = new analyzerPb.AnalyzeRequest();
            request.setUrn(state.urn);
            request.setType(state.type);
            request.setName(nameOf(state.urn));
            request.setProperties(Struct.fromJavaScript(inputs));
            request.setOptions(options(state));
            const verdicts = diagnosticsOf(await call(pack, "analyze", request), () => state.urn);
            assert.deepEqual(
                verdicts.map((v) => v.policyName),
                ["kubernetes-workload-no-plaintext-secret-env"],
            );
            assert.ok(!verdicts[0].message.includes("hunter2"), "the message must not repeat the secret");
        });
    });
});
