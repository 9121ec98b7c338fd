import assert from "node:assert/strict";
import { poolerDnsNames, poolerHost, poolerSizing } from "../../components/data/pooler";

describe("connection pooler sizing", () => {
    it("gives each pod every client session when the writer has room for them", () => {
        // 10 API pods x 2 uvicorn workers x 4 sessions + 6 worker pods x 4 Celery processes.
        assert.deepEqual(poolerSizing({ apiProcesses: 20, workerProcesses: 24, writerMaxConnections: 3604, replicas: 2 }), {
            maxClientConnections: 104,
            poolSize: 104,
        });
    });

    it("caps the server connections of both pods at a quarter of the writer's max_connections", () => {
        const s = poolerSizing({ apiProcesses: 200, workerProcesses: 50, writerMaxConnections: 901, replicas: 2 });
        assert.equal(s.maxClientConnections, 850);
        assert.equal(s.poolSize, 112);
        assert.ok(s.poolSize * 2 <= 901 / 4);
    });

    it("names the Service's fully qualified host among the certificate's DNS names", () => {
        assert.equal(poolerHost("saleor"), "saleor-pooler.saleor.svc.cluster.local");
        assert.ok(poolerDnsNames("saleor").includes(poolerHost("saleor")));
    });
});
