import Foundation
import Testing
@testable import KubeModel

private func json(_ text: String) -> JSONValue {
    try! JSONValue(json: Data(text.utf8))
}

/// The seed's manifests as shipped in examples/seed.
private func seedObjects() throws -> [JSONValue] {
    let seed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/seed")
    var objects: [JSONValue] = []
    for name in try FileManager.default.contentsOfDirectory(atPath: seed.path).sorted() where name.hasSuffix(".yaml") {
        objects += try ManifestDecoder.documents(from: Data(contentsOf: seed.appendingPathComponent(name)))
    }
    return objects
}

private func gvk(of object: JSONValue) -> GroupVersionKind {
    let apiVersion = object["apiVersion"]?.stringValue ?? ""
    let parts = apiVersion.split(separator: "/").map(String.init)
    return GroupVersionKind(group: parts.count == 2 ? parts[0] : "", version: parts.last ?? "", kind: object["kind"]?.stringValue ?? "")
}

/// kubectl's `PatchMetaFromOpenAPIV3` walk (k8s.io/apimachinery strategicpatch/meta.go):
/// resolve `allOf[0]` and `$ref`, then `properties[key]`; lists step into `items`.
private struct PatchMetaWalker {
    let schemas: [String: JSONValue]

    func resolve(_ schema: JSONValue) throws -> JSONValue {
        var current = schema
        if let first = current["allOf"]?.arrayValue?.first { current = first }
        if let ref = current["$ref"]?.stringValue {
            let name = String(ref.dropFirst("#/components/schemas/".count))
            guard let target = schemas[name] else { throw WalkError.unresolved(ref) }
            current = target
        }
        return current
    }

    enum WalkError: Error { case unresolved(String), missing(String) }

    /// Every map and list in `value` must be found the way kubectl looks it up.
    func walk(_ value: JSONValue, schema: JSONValue, path: String) throws -> [String: JSONValue] {
        var found: [String: JSONValue] = [:]
        guard case .object(let members) = value else { return found }
        let resolved = try resolve(schema)
        for (key, member) in members {
            switch member {
            case .object, .array:
                if resolved["additionalProperties"] != nil { continue }  // a map: values are not looked up
                guard let property = resolved["properties"]?[key] else { throw WalkError.missing("\(path).\(key)") }
                found["\(path).\(key)"] = property
                if case .array(let items) = member, let itemSchema = property["items"] {
                    for item in items { found.merge(try walk(item, schema: itemSchema, path: "\(path).\(key)[]")) { a, _ in a } }
                } else {
                    found.merge(try walk(member, schema: property, path: "\(path).\(key)")) { a, _ in a }
                }
            default:
                continue
            }
        }
        return found
    }
}

@Suite struct OpenAPIDocumentsTests {
    @Test func sha512() {
        #expect(SHA512.hexDigest(Array("abc".utf8)) == "DDAF35A193617ABACC417349AE20413112E6FA4E89A97EA20A9EEEE64B55D39A2192992A274FC1A836BA3C23A3FEEBBD454D4423643CE80E2A9AC94FA54CA49F")
        #expect(SHA512.hexDigest([UInt8]()) == "CF83E1357EEFB8BDF1542850D66D8007D620E4050B5715DC83F4A921D36CE9CE47D0D13C5D85F2B0FF8318D2877EEC2F63B931BD47417A81A538327AF927DA3E")
        #expect(SHA512.hexDigest(Array(repeating: UInt8(ascii: "a"), count: 200)).count == 128)
    }

    @Test func indexListsEachGroupVersionWithItsHash() throws {
        let paths = try #require(OpenAPIDocuments.index()["paths"]?.objectValue)
        #expect(Set(paths.keys) == ["api/v1", "apis/apps/v1", "apis/autoscaling/v1", "apis/coordination.k8s.io/v1", "apis/discovery.k8s.io/v1", "apis/storage.k8s.io/v1"])
        let url = try #require(paths["apis/apps/v1"]?["serverRelativeURL"]?.stringValue)
        let served = try #require(OpenAPIDocuments.serializedDocument(group: "apps", version: "v1"))
        #expect(url == "/openapi/v3/apis/apps/v1?hash=" + served.hash)
        #expect(served.hash == SHA512.hexDigest(served.data))
        #expect(try JSONValue(json: served.data) == OpenAPIDocuments.document(group: "apps", version: "v1"))
        #expect(OpenAPIDocuments.document(group: "batch", version: "v1") == nil)
    }

    @Test func statefulSetSchemaAndPaths() throws {
        let document = try #require(OpenAPIDocuments.document(group: "apps", version: "v1"))
        #expect(document["openapi"] == .string("3.0.0"))
        let schemas = try #require(document[path: ["components", "schemas"]]?.objectValue)
        let statefulSet = try #require(schemas["io.k8s.api.apps.v1.StatefulSet"])
        #expect(statefulSet["x-kubernetes-group-version-kind"] == json(#"[{"group":"apps","kind":"StatefulSet","version":"v1"}]"#))
        let containers = try #require(schemas["io.k8s.api.core.v1.PodSpec"]?[path: ["properties", "containers"]])
        #expect(containers["x-kubernetes-patch-merge-key"] == .string("name"))
        #expect(containers["x-kubernetes-patch-strategy"] == .string("merge"))
        #expect(schemas["io.k8s.api.core.v1.Container"]?[path: ["properties", "ports", "x-kubernetes-patch-merge-key"]] == .string("containerPort"))
        #expect(schemas["io.k8s.api.core.v1.PodSpec"]?[path: ["properties", "volumes", "x-kubernetes-patch-strategy"]] == .string("merge,retainKeys"))
        #expect(schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"] != nil)
        #expect(schemas["io.k8s.api.autoscaling.v1.Scale"] != nil)

        let item = try #require(document[path: ["paths", "/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}"]])
        for method in ["get", "put", "patch", "delete"] {
            #expect(item[method]?["x-kubernetes-group-version-kind"] == json(#"{"group":"apps","kind":"StatefulSet","version":"v1"}"#))
        }
        #expect(item[path: ["patch", "x-kubernetes-action"]] == .string("patch"))
        // kubectl's query-param verifier: every PATCH for the kind has fieldValidation in the query.
        let patches = (document["paths"]?.objectValue ?? [:]).values.compactMap { $0["patch"] }.filter {
            $0["x-kubernetes-group-version-kind"]?["kind"] == .string("StatefulSet")
        }
        #expect(patches.count == 2)
        for patch in patches {
            #expect(patch["parameters"]?.arrayValue?.contains { $0["name"] == .string("fieldValidation") && $0["in"] == .string("query") } == true)
            #expect(patch[path: ["requestBody", "content", "application/strategic-merge-patch+json"]] != nil)
        }
        let scale = try #require(document[path: ["paths", "/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}/scale", "patch"]])
        #expect(scale["x-kubernetes-group-version-kind"] == json(#"{"group":"autoscaling","kind":"Scale","version":"v1"}"#))
        let create = try #require(document[path: ["paths", "/apis/apps/v1/namespaces/{namespace}/statefulsets", "post"]])
        #expect(create["parameters"]?.arrayValue?.contains { $0["name"] == .string("fieldValidation") } == true)
    }

    @Test func everyReferenceResolves() throws {
        for (group, version) in Schema.groupVersions {
            let document = try #require(OpenAPIDocuments.document(group: group, version: version))
            let schemas = document[path: ["components", "schemas"]]?.objectValue ?? [:]
            var refs: [String] = []
            func visit(_ value: JSONValue) {
                switch value {
                case .object(let members):
                    if let ref = members["$ref"]?.stringValue { refs.append(ref) }
                    members.values.forEach(visit)
                case .array(let items): items.forEach(visit)
                default: break
                }
            }
            visit(document)
            #expect(!refs.isEmpty)
            for ref in refs {
                #expect(schemas[String(ref.dropFirst("#/components/schemas/".count))] != nil, "\(group)/\(version): \(ref)")
            }
        }
        let core = try #require(OpenAPIDocuments.document(group: "", version: "v1"))
        #expect(core[path: ["paths", "/api/v1/namespaces/{namespace}/pods/{name}", "patch", "x-kubernetes-group-version-kind", "kind"]] == .string("Pod"))
        #expect(core[path: ["paths", "/api/v1/nodes/{name}/status", "patch"]] != nil)
        #expect(core[path: ["components", "schemas", "io.k8s.api.core.v1.Service", "x-kubernetes-group-version-kind"]] == json(#"[{"group":"","kind":"Service","version":"v1"}]"#))
    }

    @Test func kubectlFindsPatchMetadataForEverySeedField() throws {
        let objects = try seedObjects()
        #expect(objects.count >= 4)
        for object in objects {
            let kind = gvk(of: object)
            let document = try #require(OpenAPIDocuments.document(group: kind.group, version: kind.version), "\(kind)")
            let schemas = document[path: ["components", "schemas"]]?.objectValue ?? [:]
            let root = try #require(schemas.values.first { schema in
                schema["x-kubernetes-group-version-kind"]?.arrayValue?.contains(json(#"{"group":"\#(kind.group)","kind":"\#(kind.kind)","version":"\#(kind.version)"}"#)) == true
            }, "no schema for \(kind)")
            let found = try PatchMetaWalker(schemas: schemas).walk(object, schema: root, path: "")
            if kind.kind == "StatefulSet" {
                #expect(found[".spec.template.spec.containers"]?["x-kubernetes-patch-merge-key"] == .string("name"))
            }
        }
    }
}

@Suite struct SchemaTests {
    @Test func definitionsAndStrategies() throws {
        let podSpec = try #require(Schema.definition(named: "io.k8s.api.core.v1.PodSpec"))
        #expect(podSpec.fields["containers"]?.type == .array(.reference("io.k8s.api.core.v1.Container")))
        #expect(podSpec.fields["containers"]?.required == true)
        #expect(podSpec.fields["tolerations"]?.mergesList == false)
        #expect(Schema.definition(named: "io.k8s.api.core.v1.Container")?.fields["env"]?.patchMergeKey == "name")
        #expect(Schema.definition(named: "io.k8s.api.core.v1.ServiceSpec")?.fields["ports"]?.patchMergeKey == "port")
        #expect(Schema.definition(named: "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")?.fields["ownerReferences"]?.patchMergeKey == "uid")
        #expect(Schema.definition(named: "io.k8s.api.core.v1.ResourceRequirements")?.fields["limits"]?.type == .map(.quantity))
        #expect(Schema.definition(named: "io.k8s.api.core.v1.ServicePort")?.fields["targetPort"]?.type == .intOrString)
        #expect(Schema.definition(for: GroupVersionKind(group: "coordination.k8s.io", version: "v1", kind: "Lease"))?.fields["spec"] != nil)
        #expect(Schema.definition(named: "io.k8s.api.coordination.v1.LeaseSpec")?.fields["renewTime"]?.type == .microTime)
        for gvk in Schema.servedKinds {
            #expect(Schema.definition(for: gvk)?.kinds.contains(gvk) == true, "\(gvk)")
        }
    }

    @Test func unknownFields() throws {
        let statefulSet = GroupVersionKind(group: "apps", version: "v1", kind: "StatefulSet")
        for object in try seedObjects() {
            #expect(Schema.unknownFields(in: object, gvk: gvk(of: object)).isEmpty, "\(gvk(of: object))")
        }
        let bad = json("""
        {"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"web","labels":{"any":"x"}},
         "spec":{"foo":1,"template":{"spec":{"containers":[{"name":"a","imagee":"x","resources":{"limits":{"cpu":"1"}}}]}}}}
        """)
        let unknown = Schema.unknownFields(in: bad, gvk: statefulSet)
        #expect(unknown == ["spec.foo", "spec.template.spec.containers[0].imagee"])
        #expect(Schema.strictDecodingMessage(unknown) == #"strict decoding error: unknown field "spec.foo", unknown field "spec.template.spec.containers[0].imagee""#)
        #expect(Schema.strictDecodingStatusMessage(["spec.foo"], gvk: statefulSet) == #"StatefulSet in version "v1" cannot be handled as a StatefulSet: strict decoding error: unknown field "spec.foo""#)
        #expect(Schema.unknownFieldWarnings(["spec.foo"]) == [#"299 - "unknown field \"spec.foo\"""#])
    }
}
