import { nodeGroupInstanceTypeAllowed, nodeGroupMaxSize, nodeGroupMinSize } from "../../../policy/aws/eks";
import { nodeGroup } from "../fixtures/aws";
import { assertPasses, assertViolates, UNKNOWN_VALUE } from "../harness";

describe("EKS node group rules", () => {
    describe("aws-eks-node-group-instance-type-allowed", () => {
        it("a burstable type in production is a violation listing the allowed ones", () =>
            assertViolates(
                nodeGroupInstanceTypeAllowed,
                nodeGroup({ instanceTypes: ["t3.large"] }),
                /uses t3.large, which this stack does not allow; pick from m6i.\*/,
            ));
        it("no instance types means EKS's t3.medium, which production does not allow", () =>
            assertViolates(nodeGroupInstanceTypeAllowed, nodeGroup({ instanceTypes: undefined }), /uses t3.medium/));
        it("staging's list admits t3 types", () =>
            assertPasses(nodeGroupInstanceTypeAllowed, nodeGroup({ instanceTypes: ["t3.large"] }), {
                allowedInstanceTypes: ["t3.*", "m7i.*"],
            }));
        it("m7i.2xlarge passes in production", () => assertPasses(nodeGroupInstanceTypeAllowed, nodeGroup()));
        it("types chosen in a launch template are not judged", () =>
            assertPasses(
                nodeGroupInstanceTypeAllowed,
                nodeGroup({ instanceTypes: undefined, launchTemplate: { id: "lt-1", version: "1" } }),
            ));
        it("unknown types are not a violation", () =>
            assertPasses(nodeGroupInstanceTypeAllowed, nodeGroup({ instanceTypes: UNKNOWN_VALUE })));
    });

    describe("aws-eks-node-group-min-size", () => {
        it("a production node group that may shrink to one node is a violation", () =>
            assertViolates(
                nodeGroupMinSize,
                nodeGroup({ scalingConfig: { minSize: 1, desiredSize: 2, maxSize: 6 } }),
                /may shrink to 1 node\(s\), below this stack's minimum of 2; set scalingConfig.minSize to at least 2/,
            ));
        it("two nodes minimum pass", () =>
            assertPasses(nodeGroupMinSize, nodeGroup({ scalingConfig: { minSize: 2, desiredSize: 2, maxSize: 6 } })));
        it("staging's minimum of one accepts a single node", () =>
            assertPasses(nodeGroupMinSize, nodeGroup({ scalingConfig: { minSize: 1, desiredSize: 1, maxSize: 3 } }), { minNodes: 1 }));
        it("an unknown minimum is not a violation", () =>
            assertPasses(nodeGroupMinSize, nodeGroup({ scalingConfig: { minSize: UNKNOWN_VALUE, maxSize: 6 } })));
    });

    describe("aws-eks-node-group-max-size", () => {
        it("a node group that may grow past the maximum is a violation", () =>
            assertViolates(
                nodeGroupMaxSize,
                nodeGroup({ scalingConfig: { minSize: 3, desiredSize: 3, maxSize: 12 } }),
                /may grow to 12 nodes, above this stack's maximum of 6; set scalingConfig.maxSize to at most 6/,
            ));
        it("six nodes pass in production", () => assertPasses(nodeGroupMaxSize, nodeGroup()));
        it("an unknown maximum is not a violation", () => assertPasses(nodeGroupMaxSize, nodeGroup({ scalingConfig: UNKNOWN_VALUE })));
    });
});
