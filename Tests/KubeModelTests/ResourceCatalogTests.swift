import Testing
@testable import KubeModel

@Suite struct ResourceCatalogTests {
    @Test func shortNamesAndScopes() throws {
        let sts = try #require(ResourceCatalog.resource(group: "apps", version: "v1", plural: "statefulsets"))
        #expect(sts.shortNames == ["sts"])
        #expect(sts.namespaced)
        #expect(sts.categories == ["all"])
        #expect(sts.subresources.contains("scale"))
        #expect(sts.listKind == "StatefulSetList")
        #expect(sts.subresourceKind("scale") == GroupVersionKind(group: "autoscaling", version: "v1", kind: "Scale"))

        let pv = try #require(ResourceCatalog.resource(for: GroupVersionKind(group: "", version: "v1", kind: "PersistentVolume")))
        #expect(!pv.namespaced)
        #expect(pv.shortNames == ["pv"])
        #expect(ResourceCatalog.resource(named: "po")?.plural == "pods")
        #expect(ResourceCatalog.resource(named: "statefulsets.apps")?.gvk.kind == "StatefulSet")
        #expect(ResourceCatalog.resource(named: "sc")?.gvk.group == "storage.k8s.io")
        #expect(ResourceCatalog.resource(named: "endpoints")?.singular == "endpoints")
        #expect(ResourceCatalog.resource(named: "nothing") == nil)
    }

    @Test func everyKindOfTheIssueIsServed() {
        let kinds = Set(ResourceCatalog.all.map(\.gvk.kind))
        for kind in ["Namespace", "Node", "Pod", "Service", "Endpoints", "PersistentVolume",
                     "PersistentVolumeClaim", "Event", "ConfigMap", "Secret", "StatefulSet",
                     "ControllerRevision", "StorageClass", "EndpointSlice", "Lease"] {
            #expect(kinds.contains(kind), "\(kind) missing")
        }
        let pods = ResourceCatalog.resource(named: "pods")
        #expect(Set(pods?.subresources ?? []) == ["status", "binding", "log", "exec"])
        #expect(ResourceCatalog.groupVersions.first?.version == "v1")
        #expect(ResourceCatalog.groupVersions.first?.group == "")
    }
}
