extension TableConvertor {
    private static let nameDoc = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
    private static let ageDoc = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"

    private static func name() -> TableColumnDefinition {
        TableColumnDefinition(name: "Name", format: "name", description: nameDoc)
    }
    private static func age() -> TableColumnDefinition {
        TableColumnDefinition(name: "Age", description: ageDoc)
    }
    private static func column(_ name: String, _ description: String, type: String = "string", priority: Int = 0) -> TableColumnDefinition {
        TableColumnDefinition(name: name, type: type, description: description, priority: priority)
    }

    static func columns(forKind group: String, _ kind: String) -> [TableColumnDefinition] {
        switch (group, kind) {
        case ("", "Pod"):
            return [
                name(),
                column("Ready", "The aggregate readiness state of this pod for accepting traffic."),
                column("Status", "The aggregate status of the containers in this pod."),
                column("Restarts", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
                age(),
                column("IP", "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", priority: 1),
                column("Node", "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename", priority: 1),
                column("Nominated Node", "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.", priority: 1),
                column("Readiness Gates", "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to \"True\" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates", priority: 1),
            ]
        case ("apps", "StatefulSet"):
            return [
                name(),
                column("Ready", "Number of the pod with ready state"),
                age(),
                column("Containers", "Names of each container in the template.", priority: 1),
                column("Images", "Images referenced by each container in the template.", priority: 1),
            ]
        case ("", "Service"):
            return [
                name(),
                column("Type", "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer."),
                column("Cluster-IP", "clusterIP is the IP address of the service and is usually assigned randomly."),
                column("External-IP", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
                column("Port(s)", "The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies"),
                age(),
                column("Selector", "Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. More info: https://kubernetes.io/docs/concepts/services-networking/service/", priority: 1),
            ]
        case ("", "Endpoints"):
            return [
                name(),
                column("Endpoints", "The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service."),
                age(),
            ]
        case ("", "Node"):
            return [
                name(),
                column("Status", "The status of the node"),
                column("Roles", "The roles of the node"),
                age(),
                column("Version", "Kubelet Version reported by the node."),
                column("Internal-IP", "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses", priority: 1),
                column("External-IP", "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses", priority: 1),
                column("OS-Image", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", priority: 1),
                column("Kernel-Version", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", priority: 1),
                column("Container-Runtime", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", priority: 1),
            ]
        case ("", "Event"):
            return [
                column("Last Seen", "The time at which the most recent occurrence of this event was recorded."),
                column("Type", "Type of this event (Normal, Warning), new types could be added in the future"),
                column("Reason", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
                column("Object", "The object that this event is about."),
                column("Subobject", "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].", priority: 1),
                column("Source", "The component reporting this event. Should be a short machine understandable string.", priority: 1),
                column("Message", "A human-readable description of the status of this operation."),
                column("First Seen", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)", priority: 1),
                column("Count", "The number of times this event has occurred.", priority: 1),
                TableColumnDefinition(name: "Name", format: "name", description: nameDoc, priority: 1),
            ]
        case ("", "Namespace"):
            return [name(), column("Status", "The status of the namespace"), age()]
        case ("", "Secret"):
            return [
                name(),
                column("Type", "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types"),
                column("Data", "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4"),
                age(),
            ]
        case ("", "ConfigMap"):
            return [
                name(),
                column("Data", "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process."),
                age(),
            ]
        case ("", "PersistentVolume"):
            return [
                name(),
                column("Capacity", "capacity is the description of the persistent volume's resources and capacity. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity"),
                column("Access Modes", "accessModes contains all ways the volume can be mounted. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes"),
                column("Reclaim Policy", "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated). Recycle must be supported by the volume plugin underlying this PersistentVolume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming"),
                column("Status", "phase indicates if a volume is available, bound to a claim, or released by a claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase"),
                column("Claim", "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative bind between PV and PVC. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding"),
                column("StorageClass", "StorageClass of the pv"),
                column("VolumeAttributesClass", "VolumeAttributesClass of the pv"),
                column("Reason", "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI."),
                age(),
                column("VolumeMode", "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state. Value of Filesystem is implied when not included in spec.", priority: 1),
            ]
        case ("", "PersistentVolumeClaim"):
            return [
                name(),
                column("Status", "phase represents the current phase of PersistentVolumeClaim."),
                column("Volume", "volumeName is the binding reference to the PersistentVolume backing this claim."),
                column("Capacity", "capacity represents the actual resources of the underlying volume."),
                column("Access Modes", "accessModes contains the actual access modes the volume backing the PVC has. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1"),
                column("StorageClass", "StorageClass of the pvc"),
                column("VolumeAttributesClass", "VolumeAttributesClass of the pvc"),
                age(),
                column("VolumeMode", "volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.", priority: 1),
            ]
        case ("storage.k8s.io", "StorageClass"):
            return [
                name(),
                column("Provisioner", "provisioner indicates the type of the provisioner."),
                column("ReclaimPolicy", "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete."),
                column("VolumeBindingMode", "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature."),
                column("AllowVolumeExpansion", "allowVolumeExpansion shows whether the storage class allow volume expand."),
                age(),
            ]
        case ("apps", "ControllerRevision"):
            return [
                name(),
                column("Controller", "Controller of the object"),
                column("Revision", "Revision indicates the revision of the state represented by Data."),
                age(),
            ]
        case ("discovery.k8s.io", "EndpointSlice"):
            return [
                name(),
                column("AddressType", "addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type."),
                column("Ports", "ports specifies the list of network ports exposed by each endpoint in this slice."),
                column("Endpoints", "endpoints is a list of unique endpoints in this slice."),
                age(),
            ]
        case ("coordination.k8s.io", "Lease"):
            return [
                name(),
                column("Holder", "holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field."),
                age(),
            ]
        case ("autoscaling", "Scale"):
            return [
                TableColumnDefinition(name: "Name", description: nameDoc),
                column("Desired", "replicas is the desired number of instances for the scaled object.", type: "integer"),
                column("Available", "replicas is the actual number of observed instances of the scaled object.", type: "integer"),
                age(),
            ]
        default:
            return [name(), TableColumnDefinition(name: "Created At", type: "date", description: ageDoc)]
        }
    }
}
