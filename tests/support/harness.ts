import { runUnderMocks } from "../../automation/plan/evaluate";
import { secretSig } from "../../automation/plan/evaluate";
import type { RecordedResource } from "../../automation/plan/recording-monitor";

export type { RecordedResource };

/** Registers whatever `program` creates under the mock runtime and returns the recorded resources. */
export async function registered(program: () => unknown, stack = "test"): Promise<Resources> {
    const { resources } = await runUnderMocks("saleor", stack, program);
    return new Resources(resources);
}

/** The types that run an app's long-lived pods: a Deployment, or an Argo Rollout (a canary on AWS). */
export const workloadTypes = ["kubernetes:apps/v1:Deployment", "kubernetes:argoproj.io/v1alpha1:Rollout"];

/** Query helpers over recorded resources. */
export class Resources {
    constructor(readonly all: RecordedResource[]) {}

    ofType(type: string): RecordedResource[] {
        return this.all.filter((r) => r.type === type);
    }

    /** The one resource of `type` whose logical name is `name` (throws if absent, so tests fail loudly). */
    one(type: string, name: string): RecordedResource {
        const found = this.all.filter((r) => r.type === type && r.name === name);
        if (found.length !== 1)
            throw new Error(
                `expected one ${type} named ${name}, found ${found.length}: ${this.ofType(type)
                    .map((r) => r.name)
                    .join(", ")}`,
            );
        return found[0];
    }

    /**
     * The Deployment or, where the stack releases it as a canary (AWS), the Argo Rollout named `name`:
     * both carry the pod template at spec.template.
     */
    workload(name: string): RecordedResource {
        const found = this.all.filter((r) => workloadTypes.includes(r.type) && r.name === name);
        if (found.length !== 1) throw new Error(`expected one Deployment or Rollout named ${name}, found ${found.length}`);
        return found[0];
    }

    /** Every Deployment and Rollout. */
    workloads(): RecordedResource[] {
        return this.all.filter((r) => workloadTypes.includes(r.type));
    }

    byUrn(urn: string): RecordedResource | undefined {
        return this.all.find((r) => r.urn === urn);
    }

    /** Kubernetes objects whose `app.kubernetes.io/component` label is `component`. */
    component(type: string, component: string): RecordedResource[] {
        return this.ofType(type).filter((r) => (r.inputs as any).metadata?.labels?.["app.kubernetes.io/component"] === component);
    }
}

/** Whether a recorded input value is a Pulumi secret (wrapped as the engine's wire format wraps it). */
export function isSecret(v: unknown): boolean {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[secretSig.key] === secretSig.value;
}

/** The value inside a secret wrapper (or the value itself). */
export function reveal<T = unknown>(v: unknown): T {
    return (isSecret(v) ? (v as { value: unknown }).value : v) as T;
}
