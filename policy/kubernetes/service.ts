import { resourceRule } from "../lib/define";
import { setting } from "../lib/settings";
import { isKnown, known } from "../lib/unknown";
import { describeObject, namespaceOf, objectName } from "./workload";
import { k8s } from "./types";

export const noLoadBalancerServices = resourceRule({
    name: "kubernetes-service-no-load-balancer",
    description:
        "Services must not be of type LoadBalancer, which opens a cloud load balancer outside the Ingress; only the ingress controller's Service may be listed as an exception.",
    enforcementLevel: "mandatory",
    category: "security",
    type: k8s.core.Service,
    settings: {
        allowedLoadBalancers: setting.strings(
            [],
            'Services ("namespace/name") allowed to be of type LoadBalancer, e.g. the ingress controller.',
        ),
    },
    validate: (service, { args, config, report }) => {
        const type = known(() => service.spec?.type);
        if (type !== "LoadBalancer") {
            return;
        }
        const namespace = namespaceOf(() => service.metadata);
        const name = objectName(args, () => service.metadata);
        if (!isKnown(namespace) || !isKnown(name)) {
            return;
        }
        if (!config.allowedLoadBalancers.includes(`${namespace}/${name}`)) {
            report(
                `${describeObject("Service", namespace, name, args)} is of type LoadBalancer; make it a ClusterIP Service behind the Ingress, or add "${namespace}/${name}" to allowedLoadBalancers if it is the ingress controller.`,
            );
        }
    },
});
