import KubeModel
import Testing
@testable import Controllers

@Suite struct VolumeBindingTests {
    static func volume(
        _ name: String, size: String = "5Gi", modes: [String] = ["ReadWriteOnce"],
        storageClass: String? = "local-class", phase: String = "Available",
        labels: [String: String]? = nil, claimRef: ObjectReference? = nil
    ) throws -> PersistentVolume {
        var spec = PersistentVolumeSpec()
        spec.capacity = ["storage": try Quantity(parsing: size)]
        spec.accessModes = modes
        spec.storageClassName = storageClass
        spec.hostPath = HostPathVolumeSource(path: "/tmp/\(name)")
        spec.claimRef = claimRef
        var status = PersistentVolumeStatus()
        status.phase = phase
        return PersistentVolume(metadata: ObjectMeta(name: name, labels: labels), spec: spec, status: status)
    }

    static func claim(
        _ name: String = "www-web-0", size: String = "1Gi", modes: [String] = ["ReadWriteOnce"],
        storageClass: String? = "local-class", selector: LabelSelector? = nil
    ) throws -> PersistentVolumeClaim {
        var spec = PersistentVolumeClaimSpec()
        spec.accessModes = modes
        spec.storageClassName = storageClass
        spec.selector = selector
        spec.resources = VolumeResourceRequirements(requests: ["storage": try Quantity(parsing: size)])
        return PersistentVolumeClaim(
            metadata: ObjectMeta(name: name, namespace: "default", uid: "uid-\(name)"), spec: spec)
    }

    @Test func theSmallestFittingVolumeWins() throws {
        let volumes = [try Self.volume("big", size: "10Gi"), try Self.volume("small", size: "2Gi"),
                       try Self.volume("tiny", size: "512Mi")]
        let match = VolumeBinding.findMatchingVolume(for: try Self.claim(), in: volumes)
        #expect(match?.metadata.name == "small")
    }

    @Test func anotherClassTooSmallOrWrongAccessModeIsNeverChosen() throws {
        let volumes = [
            try Self.volume("other-class", storageClass: "fast"),
            try Self.volume("too-small", size: "500Mi"),
            try Self.volume("read-only-many", modes: ["ReadOnlyMany"]),
        ]
        #expect(VolumeBinding.findMatchingVolume(for: try Self.claim(), in: volumes) == nil)
    }

    @Test func onlyAvailableUnclaimedVolumesMatch() throws {
        let other = ObjectReference(kind: "PersistentVolumeClaim", namespace: "default", name: "www-web-9")
        let volumes = [
            try Self.volume("released", phase: "Released"),
            try Self.volume("claimed", claimRef: other),
            try Self.volume("bound", phase: "Bound"),
        ]
        #expect(VolumeBinding.findMatchingVolume(for: try Self.claim(), in: volumes) == nil)
    }

    @Test func aPreBoundVolumeWinsOverASmallerOne() throws {
        let ref = ObjectReference(namespace: "default", name: "www-web-0")
        let volumes = [try Self.volume("small", size: "1Gi"),
                       try Self.volume("reserved", size: "50Gi", phase: "Available", claimRef: ref)]
        #expect(VolumeBinding.findMatchingVolume(for: try Self.claim(), in: volumes)?.metadata.name == "reserved")
    }

    @Test func aClaimRefWithAnotherUIDIsNotThisClaim() throws {
        let ref = ObjectReference(namespace: "default", name: "www-web-0", uid: "an-older-claim")
        let volume = try Self.volume("reserved", claimRef: ref)
        #expect(!VolumeBinding.isVolume(volume, boundTo: try Self.claim()))
    }

    @Test func theClaimSelectorFiltersByLabels() throws {
        let volumes = [try Self.volume("plain", size: "1Gi"),
                       try Self.volume("local", size: "5Gi", labels: ["type": "local"])]
        let claim = try Self.claim(selector: LabelSelector(matchLabels: ["type": "local"]))
        #expect(VolumeBinding.findMatchingVolume(for: claim, in: volumes)?.metadata.name == "local")
    }

    @Test func delayedBindingWithoutANodeMatchesNothingButPreBound() throws {
        let volumes = [try Self.volume("datadir1")]
        #expect(VolumeBinding.findMatchingVolume(for: try Self.claim(), in: volumes, delayBinding: true) == nil)
        let node = Node(metadata: ObjectMeta(name: "node-1", labels: ["kubernetes.io/hostname": "node-1"]))
        #expect(VolumeBinding.findMatchingVolume(
            for: try Self.claim(), in: volumes, node: node, delayBinding: true)?.metadata.name == "datadir1")
    }

    @Test func nodeAffinityOfTheVolumeMustAdmitTheNode() throws {
        var pinned = try Self.volume("pinned")
        let term = NodeSelectorTerm(matchExpressions: [
            NodeSelectorRequirement(key: "kubernetes.io/hostname", operator: "In", values: ["node-2"]),
        ])
        pinned.spec?.nodeAffinity = VolumeNodeAffinity(required: NodeSelector(nodeSelectorTerms: [term]))
        let node1 = Node(metadata: ObjectMeta(name: "node-1", labels: ["kubernetes.io/hostname": "node-1"]))
        let node2 = Node(metadata: ObjectMeta(name: "node-2", labels: ["kubernetes.io/hostname": "node-2"]))
        #expect(VolumeBinding.findMatchingVolume(for: try Self.claim(), in: [pinned], node: node1) == nil)
        #expect(VolumeBinding.findMatchingVolume(for: try Self.claim(), in: [pinned], node: node2) != nil)
    }

    @Test func nodeSelectorOperators() {
        #expect(NodeSelectorRequirement(key: "k", operator: "Gt", values: ["3"]).matches("4"))
        #expect(!NodeSelectorRequirement(key: "k", operator: "Lt", values: ["3"]).matches("4"))
        #expect(NodeSelectorRequirement(key: "k", operator: "NotIn", values: ["a"]).matches(nil))
        #expect(!NodeSelectorRequirement(key: "k", operator: "Exists").matches(nil))
        #expect(!NodeSelectorTerm().matches(labels: ["a": "b"], nodeName: "n"), "an empty term matches nothing")
    }
}
