import Foundation
import Testing
@testable import KubeModel

private func json(_ text: String) -> JSONValue {
    try! JSONValue(json: Data(text.utf8))
}

private let statefulSet = GroupVersionKind(group: "apps", version: "v1", kind: "StatefulSet")
private let pod = GroupVersionKind(group: "", version: "v1", kind: "Pod")

private let liveSet = json("""
{"apiVersion":"apps/v1","kind":"StatefulSet",
 "metadata":{"name":"web","namespace":"default","finalizers":["a","b"],"labels":{"app":"nginx"},"annotations":{"x":"1"}},
 "spec":{"replicas":3,"serviceName":"nginx","selector":{"matchLabels":{"app":"nginx"}},
  "template":{"metadata":{"labels":{"app":"nginx"}},"spec":{
   "containers":[
    {"name":"nginx","image":"nginx:1.25","ports":[{"containerPort":80,"name":"web","protocol":"TCP"}],
     "volumeMounts":[{"name":"www","mountPath":"/usr/share/nginx/html"}],"env":[{"name":"A","value":"1"}]},
    {"name":"sidecar","image":"busybox","args":["sleep","1d"]}],
   "tolerations":[{"key":"k1","operator":"Exists"}],
   "volumes":[{"name":"data","hostPath":{"path":"/srv"}}]}},
  "volumeClaimTemplates":[{"metadata":{"name":"www"},"spec":{"accessModes":["ReadWriteOnce"]}}]},
 "status":{"replicas":3}}
""")

private func containers(_ object: JSONValue) -> [JSONValue] {
    object[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []
}

@Suite struct StrategicMergePatchTests {
    @Test func kubectlApplyChangesOneImageKeepingTheRest() throws {
        // What `kubectl apply` sends after the image in the manifest changed.
        let patch = json("""
        {"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"}},
         "spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"},{"name":"sidecar"}],
          "containers":[{"image":"nginx:1.26","name":"nginx"}]}}}}
        """)
        let result = try StrategicMergePatch.apply(patch, to: liveSet, gvk: statefulSet)
        let list = containers(result)
        #expect(list.map { $0["name"]?.stringValue } == ["nginx", "sidecar"])
        #expect(list[0]["image"] == .string("nginx:1.26"))
        #expect(list[0]["ports"]?.arrayValue?.count == 1)
        #expect(list[0]["volumeMounts"] == liveSet[path: ["spec", "template", "spec", "containers"]]?.arrayValue?[0]["volumeMounts"])
        #expect(list[1] == containers(liveSet)[1])
        #expect(result[path: ["metadata", "annotations", "x"]] == .string("1"))
        #expect(result[path: ["metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"]] == .string("{}"))
        #expect(result["status"] == liveSet["status"])
        // No directive is stored.
        #expect(try !String(decoding: result.jsonData(), as: UTF8.self).contains("$setElementOrder"))
    }

    @Test func kubectlApplyRemovesAContainerAndAddsAPortField() throws {
        // Recorded from kubectl 1.33 after deleting the sidecar and adding `protocol: TCP`.
        let patch = json("""
        {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"}],
          "containers":[{"$setElementOrder/ports":[{"containerPort":80}],"image":"nginx:1.26","name":"nginx",
            "ports":[{"containerPort":80,"protocol":"TCP"}]},{"$patch":"delete","name":"sidecar"}]}}}}
        """)
        let list = containers(try StrategicMergePatch.apply(patch, to: liveSet, gvk: statefulSet))
        #expect(list.count == 1)
        #expect(list[0]["ports"] == json(#"[{"containerPort":80,"name":"web","protocol":"TCP"}]"#))
        #expect(list[0]["env"] == json(#"[{"name":"A","value":"1"}]"#))
        #expect(list[0]["$setElementOrder/ports"] == nil)
    }

    @Test func plainMergePatchWouldLoseContainers() throws {
        // The same change as a JSON merge patch replaces the list: this is why SMP matters.
        let patch = json(#"{"spec":{"template":{"spec":{"containers":[{"image":"nginx:1.26","name":"nginx"}]}}}}"#)
        #expect(containers(JSONMergePatch.apply(patch, to: liveSet)).count == 1)
        #expect(containers(try StrategicMergePatch.apply(patch, to: liveSet, gvk: statefulSet)).count == 2)
    }

    @Test func keyedListsMergeByTheirKey() throws {
        let patch = json("""
        {"spec":{"template":{"spec":{"containers":[{"name":"nginx",
          "ports":[{"containerPort":443,"name":"tls"}],
          "env":[{"name":"A","value":"2"},{"name":"B","value":"3"}],
          "volumeMounts":[{"mountPath":"/usr/share/nginx/html","readOnly":true}]}]}}}}
        """)
        let nginx = containers(try StrategicMergePatch.apply(patch, to: liveSet, gvk: statefulSet))[0]
        // Without $setElementOrder, Kubernetes puts items new to the live list first.
        #expect(nginx["ports"]?.arrayValue?.compactMap { $0["containerPort"]?.intValue } == [443, 80])
        #expect(nginx["env"] == json(#"[{"name":"A","value":"2"},{"name":"B","value":"3"}]"#))
        #expect(nginx["volumeMounts"] == json(#"[{"name":"www","mountPath":"/usr/share/nginx/html","readOnly":true}]"#))
    }

    @Test func newElementsAndOrder() throws {
        let added = json(#"{"spec":{"template":{"spec":{"containers":[{"name":"metrics","image":"exporter"}]}}}}"#)
        // As `kubectl patch` does it: a new item goes before the live ones (mergeSortedSlice).
        #expect(containers(try StrategicMergePatch.apply(added, to: liveSet, gvk: statefulSet)).map { $0["name"]?.stringValue } == ["metrics", "nginx", "sidecar"])
        let reordered = json(#"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"sidecar"},{"name":"nginx"}]}}}}"#)
        #expect(containers(try StrategicMergePatch.apply(reordered, to: liveSet, gvk: statefulSet)).map { $0["name"]?.stringValue } == ["sidecar", "nginx"])
        // A new item between two live ones, in the order $setElementOrder gives.
        let inserted = json(#"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"},{"name":"metrics"},{"name":"sidecar"}],"containers":[{"name":"metrics","image":"exporter"}]}}}}"#)
        #expect(containers(try StrategicMergePatch.apply(inserted, to: liveSet, gvk: statefulSet)).map { $0["name"]?.stringValue } == ["nginx", "metrics", "sidecar"])
    }

    @Test func patchDirectives() throws {
        let delete = json(#"{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}}"#)
        #expect(containers(try StrategicMergePatch.apply(delete, to: liveSet, gvk: statefulSet)).map { $0["name"]?.stringValue } == ["nginx"])

        let replaceList = json(#"{"spec":{"template":{"spec":{"containers":[{"name":"only","image":"x"},{"$patch":"replace"}]}}}}"#)
        #expect(containers(try StrategicMergePatch.apply(replaceList, to: liveSet, gvk: statefulSet)) == [json(#"{"name":"only","image":"x"}"#)])

        let replaceMap = json(#"{"metadata":{"labels":{"$patch":"replace","tier":"web"}}}"#)
        #expect(try StrategicMergePatch.apply(replaceMap, to: liveSet, gvk: statefulSet)[path: ["metadata", "labels"]] == json(#"{"tier":"web"}"#))

        let deleteMap = json(#"{"spec":{"selector":{"$patch":"delete"}}}"#)
        #expect(try StrategicMergePatch.apply(deleteMap, to: liveSet, gvk: statefulSet)[path: ["spec", "selector"]] == json("{}"))

        let retain = json(#"{"spec":{"template":{"spec":{"volumes":[{"name":"data","emptyDir":{},"$retainKeys":["emptyDir","name"]}]}}}}"#)
        #expect(try StrategicMergePatch.apply(retain, to: liveSet, gvk: statefulSet)[path: ["spec", "template", "spec", "volumes"]] == json(#"[{"name":"data","emptyDir":{}}]"#))

        let badRetain = json(#"{"spec":{"template":{"spec":{"volumes":[{"name":"data","emptyDir":{},"$retainKeys":["name"]}]}}}}"#)
        #expect(throws: StrategicMergePatchError.self) { try StrategicMergePatch.apply(badRetain, to: liveSet, gvk: statefulSet) }
    }

    @Test func nullsPrimitiveListsAndReplacedLists() throws {
        let patch = json("""
        {"metadata":{"labels":{"app":null},"finalizers":["c","a"],"$deleteFromPrimitiveList/finalizers":["b"]},
         "spec":{"template":{"spec":{"tolerations":[{"key":"k2","operator":"Exists"}]}},
          "volumeClaimTemplates":[{"metadata":{"name":"logs"}}]}}
        """)
        let result = try StrategicMergePatch.apply(patch, to: liveSet, gvk: statefulSet)
        #expect(result[path: ["metadata", "labels"]] == json("{}"))
        #expect(Set(result[path: ["metadata", "finalizers"]]?.arrayValue ?? []) == [.string("a"), .string("c")])
        #expect(result[path: ["spec", "template", "spec", "tolerations"]] == json(#"[{"key":"k2","operator":"Exists"}]"#))
        #expect(result[path: ["spec", "volumeClaimTemplates"]] == json(#"[{"metadata":{"name":"logs"}}]"#))
    }

    @Test func unknownFieldsMergeAsJSON() throws {
        let original = json(#"{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}],"x-extra":{"a":1,"list":[1,2]}}}"#)
        let patch = json(#"{"spec":{"x-extra":{"b":2,"list":[3]}}}"#)
        let result = try StrategicMergePatch.apply(patch, to: original, gvk: pod)
        #expect(result[path: ["spec", "x-extra"]] == json(#"{"a":1,"b":2,"list":[3]}"#))
    }

    @Test func statusConditionsMergeByType() throws {
        let original = json(#"{"status":{"conditions":[{"type":"Ready","status":"False"},{"type":"PodScheduled","status":"True"}],"podIPs":[{"ip":"10.0.0.1"}]}}"#)
        let patch = json(#"{"status":{"conditions":[{"type":"Ready","status":"True"}]}}"#)
        let result = try StrategicMergePatch.apply(patch, to: original, gvk: pod)
        #expect(result[path: ["status", "conditions"]] == json(#"[{"type":"Ready","status":"True"},{"type":"PodScheduled","status":"True"}]"#))
    }

    @Test func errors() {
        let noKey = json(#"{"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}"#)
        #expect(throws: StrategicMergePatchError.self) { try StrategicMergePatch.apply(noKey, to: liveSet, gvk: statefulSet) }
        let badDirective = json(#"{"spec":{"selector":{"$patch":"explode"}}}"#)
        #expect(throws: StrategicMergePatchError.self) { try StrategicMergePatch.apply(badDirective, to: liveSet, gvk: statefulSet) }
        let badOrder = json(#"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"}],"containers":[{"name":"sidecar","image":"y"}]}}}}"#)
        #expect(throws: StrategicMergePatchError.self) { try StrategicMergePatch.apply(badOrder, to: liveSet, gvk: statefulSet) }
        #expect(throws: StrategicMergePatchError.self) { try StrategicMergePatch.apply(json("[1]"), to: liveSet, gvk: statefulSet) }
    }
}
