import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { rolloutGateScript } from "../../components/kubernetes/rollout-gate";

// The gate Job's program, run here with Python as the pod runs it, against a fake API server that
// answers the Rollout as Argo's controller writes it, one answer per poll.

interface Answer {
    generation: number;
    observedGeneration?: string;
    phase?: string;
    message?: string;
    controllerPause?: boolean;
}

async function gate(answers: (Answer | number)[], limitSeconds = 30): Promise<{ code: number | null; out: string; polls: number }> {
    let polls = 0;
    const server = http.createServer((req, res) => {
        assert.equal(req.url, "/apis/argoproj.io/v1alpha1/namespaces/saleor/rollouts/saleor-api");
        const a = answers[Math.min(polls++, answers.length - 1)];
        if (typeof a === "number") {
            res.writeHead(a).end();
            return;
        }
        res.writeHead(200, { "content-type": "application/json" }).end(
            JSON.stringify({
                metadata: { name: "saleor-api", generation: a.generation },
                status: {
                    observedGeneration: a.observedGeneration,
                    phase: a.phase,
                    message: a.message,
                    controllerPause: a.controllerPause,
                },
            }),
        );
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    try {
        return await new Promise((resolve) => {
            const child = spawn("python3", ["-c", rolloutGateScript, "saleor-api", String(limitSeconds)], {
                env: {
                    PATH: process.env.PATH ?? "",
                    GATE_API_URL: `http://127.0.0.1:${port}`,
                    GATE_NAMESPACE: "saleor",
                    GATE_POLL_SECONDS: "0.01",
                },
            });
            let out = "";
            child.stdout.on("data", (d) => (out += d));
            child.stderr.on("data", (d) => (out += d));
            child.on("close", (code) => resolve({ code, out, polls }));
        });
    } finally {
        server.close();
    }
}

describe("the rollout gate (the Job a canary release waits on)", () => {
    it("does not take the previous release's Healthy for this one's: it waits until the controller has observed the update", async () => {
        const { code, polls, out } = await gate([
            { generation: 7, observedGeneration: "6", phase: "Healthy" },
            { generation: 7, observedGeneration: "7", phase: "Paused", message: "CanaryPauseStep" },
            { generation: 7, observedGeneration: "7", phase: "Progressing" },
            { generation: 7, observedGeneration: "7", phase: "Healthy" },
        ]);
        assert.equal(code, 0, out);
        assert.equal(polls, 4);
        assert.match(out, /saleor-api: Progressing - waiting for rollout spec update to be observed/);
        assert.match(out, /saleor-api: Paused - CanaryPauseStep/);
    });

    it("fails at once when the canary is aborted (Degraded), with Argo's message", async () => {
        const { code, out, polls } = await gate([
            { generation: 3, observedGeneration: "3", phase: "Progressing" },
            {
                generation: 3,
                observedGeneration: "3",
                phase: "Degraded",
                message: 'RolloutAborted: Rollout aborted update to revision 4: Metric "alb-5xx-share" assessed Failed',
            },
        ]);
        assert.equal(code, 1);
        assert.equal(polls, 2);
        assert.match(out, /saleor-api is Degraded: RolloutAborted: .*alb-5xx-share/);
    });

    it("keeps waiting through an API hiccup, and gives up at its time limit naming the phase", async () => {
        const { code, out } = await gate([503, { generation: 2, observedGeneration: "2", phase: "Paused", message: "CanaryPauseStep" }], 1);
        assert.equal(code, 1);
        assert.match(out, /the Rollout could not be read/);
        assert.match(out, /saleor-api is not Healthy after 1 s: Paused CanaryPauseStep/);
    });

    it("reads a Rollout being unpaused as still progressing", async () => {
        const { code, polls } = await gate([
            { generation: 4, observedGeneration: "4", phase: "Healthy", controllerPause: true },
            { generation: 4, observedGeneration: "4", phase: "Healthy" },
        ]);
        assert.equal(code, 0);
        assert.equal(polls, 2);
    });
});
