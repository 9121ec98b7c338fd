import type * as k8s from "@pulumi/kubernetes";
import { StorageClass } from "@pulumi/kubernetes/storage/v1/storageClass";
import * as pulumi from "@pulumi/pulumi";

/**
 * The cluster's default StorageClass: encrypted gp3 through the EBS CSI driver. EKS no longer marks
 * its gp2 class default, so without this a claim without a class would never bind.
 */
export function createDefaultStorageClass(name: string, provider: k8s.Provider, parent: pulumi.Resource): k8s.storage.v1.StorageClass {
    return new StorageClass(
        `${name}-gp3`,
        {
            metadata: {
                name: "gp3",
                annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
            },
            provisioner: "ebs.csi.aws.com",
            parameters: { type: "gp3", encrypted: "true" },
            // EBS volumes live in one zone: create them where the pod is scheduled, not before.
            volumeBindingMode: "WaitForFirstConsumer",
            allowVolumeExpansion: true,
            reclaimPolicy: "Delete",
        },
        { parent, provider },
    );
}
