extension Schema {
    /// The `patchStrategy`/`patchMergeKey` and `+listType`/`+listMapKey` tags of Kubernetes' Go
    /// types (k8s.io/api core/v1, apps/v1, discovery/v1 and k8s.io/apimachinery meta/v1 types.go)
    /// for the definitions the project serves. Lists without an entry here are replaced whole by
    /// a strategic merge patch.
    struct PatchMetadata: Sendable {
        var strategy: [String] = []
        var mergeKey: String?
        var listType: String?
        var listMapKeys: [String] = []
    }

    private static func merge(_ key: String? = nil, retainKeys: Bool = false, listType: String? = nil, mapKeys: [String] = []) -> PatchMetadata {
        PatchMetadata(strategy: retainKeys ? ["merge", "retainKeys"] : ["merge"], mergeKey: key,
                      listType: listType ?? (key == nil ? "set" : "map"), listMapKeys: key == nil ? [] : (mapKeys.isEmpty ? [key!] : mapKeys))
    }
    private static func list(_ type: String, keys: [String] = []) -> PatchMetadata {
        PatchMetadata(listType: type, listMapKeys: keys)
    }

    static let patchMetadata: [String: [String: PatchMetadata]] = {
        let core = "io.k8s.api.core.v1."
        let apps = "io.k8s.api.apps.v1."
        let meta = "io.k8s.apimachinery.pkg.apis.meta.v1."
        let discovery = "io.k8s.api.discovery.v1."
        let containerLists: [String: PatchMetadata] = [
            "ports": merge("containerPort", mapKeys: ["containerPort", "protocol"]),
            "env": merge("name"),
            "volumeMounts": merge("mountPath"),
            "volumeDevices": merge("devicePath"),
            "resizePolicy": list("atomic"),
            "restartPolicyRules": list("atomic"),
        ]
        let conditions = merge("type")
        return [
            meta + "ObjectMeta": [
                "finalizers": merge(),
                "ownerReferences": merge("uid"),
            ],
            meta + "LabelSelector": ["matchExpressions": list("atomic")],
            meta + "LabelSelectorRequirement": ["values": list("atomic")],
            core + "PodSpec": [
                "volumes": merge("name", retainKeys: true),
                "initContainers": merge("name"),
                "containers": merge("name"),
                "ephemeralContainers": merge("name"),
                "imagePullSecrets": merge("name"),
                "hostAliases": merge("ip"),
                "topologySpreadConstraints": merge("topologyKey", mapKeys: ["topologyKey", "whenUnsatisfiable"]),
                "schedulingGates": merge("name"),
                "resourceClaims": merge("name", retainKeys: true),
                "tolerations": list("atomic"),
                "readinessGates": list("atomic"),
            ],
            core + "Container": containerLists,
            core + "EphemeralContainer": containerLists,
            core + "PodStatus": [
                "conditions": conditions,
                "podIPs": merge("ip"),
                "hostIPs": merge("ip", listType: "atomic"),
                "resourceClaimStatuses": merge("name", retainKeys: true),
                "initContainerStatuses": list("atomic"),
                "containerStatuses": list("atomic"),
                "ephemeralContainerStatuses": list("atomic"),
            ],
            core + "NodeSpec": ["podCIDRs": merge(), "taints": list("atomic")],
            core + "NodeStatus": ["conditions": conditions, "addresses": merge("type")],
            core + "NamespaceStatus": ["conditions": conditions],
            core + "PersistentVolumeClaimStatus": ["conditions": conditions],
            core + "ServiceSpec": [
                "ports": merge("port", mapKeys: ["port", "protocol"]),
                "clusterIPs": list("atomic"),
                "ipFamilies": list("atomic"),
                "externalIPs": list("atomic"),
            ],
            core + "ServiceStatus": ["conditions": conditions],
            core + "ServiceAccount": ["secrets": merge("name")],
            core + "EndpointSubset": ["addresses": list("atomic"), "notReadyAddresses": list("atomic"), "ports": list("atomic")],
            core + "Endpoints": ["subsets": list("atomic")],
            apps + "StatefulSetStatus": ["conditions": conditions],
            apps + "StatefulSetSpec": ["volumeClaimTemplates": list("atomic")],
            discovery + "EndpointSlice": ["endpoints": list("atomic"), "ports": list("atomic")],
            discovery + "Endpoint": ["addresses": list("set")],
        ]
    }()
}
