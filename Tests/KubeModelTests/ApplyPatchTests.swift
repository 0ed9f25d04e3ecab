import Foundation
import Testing
@testable import KubeModel

private func json(_ text: String) -> JSONValue {
    try! JSONValue(json: Data(text.utf8))
}

@Suite struct ApplyPatchTests {
    private let statefulSets = APIResource(gvk: GroupVersionKind(group: "apps", version: "v1", kind: "StatefulSet"), plural: "statefulsets", namespaced: true)

    @Test func mergesKeyedListsAndKeepsServerFields() {
        let live = json("""
        {"metadata":{"name":"web","uid":"u1","finalizers":["a"]},
         "spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.25","imagePullPolicy":"IfNotPresent","ports":[{"containerPort":80,"protocol":"TCP"}]}],
          "tolerations":[{"key":"a"}]}}},"status":{"replicas":3}}
        """)
        let applied = json("""
        {"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"web","finalizers":["b"]},
         "spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.26","ports":[{"containerPort":80,"name":"web"}]},{"name":"log","image":"busybox"}],
          "tolerations":[{"key":"b"}]}}}}
        """)
        let result = ApplyPatch.apply(applied, to: live, resource: statefulSets)
        let containers = result[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []
        #expect(containers.map { $0["name"]?.stringValue } == ["nginx", "log"])
        #expect(containers[0]["image"] == .string("nginx:1.26"))
        #expect(containers[0]["imagePullPolicy"] == .string("IfNotPresent"))
        #expect(containers[0]["ports"] == json(#"[{"containerPort":80,"protocol":"TCP","name":"web"}]"#))  // protocol defaulted on the server
        #expect(result[path: ["spec", "template", "spec", "tolerations"]] == json(#"[{"key":"b"}]"#))
        #expect(result[path: ["metadata", "finalizers"]] == json(#"["a","b"]"#))
        #expect(result[path: ["metadata", "uid"]] == .string("u1"))
        #expect(result["status"] == json(#"{"replicas":3}"#))
        #expect(result[path: ["spec", "replicas"]] == .int(3))
    }

    @Test func createsFromTheConfiguration() {
        let applied = json(#"{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"web"}}"#)
        #expect(ApplyPatch.apply(applied, to: nil, resource: statefulSets) == applied)
    }
}
