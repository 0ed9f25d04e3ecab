import Testing
@testable import KubeModel

@Suite struct StatusErrorTests {
    @Test func messagesAsKubernetesWordsThem() throws {
        let pods = try #require(ResourceCatalog.resource(named: "pods"))
        let sts = try #require(ResourceCatalog.resource(named: "sts"))
        #expect(Status.notFound(pods, name: "web-0").message == #"pods "web-0" not found"#)
        #expect(Status.notFound(sts, name: "web").message == #"statefulsets.apps "web" not found"#)
        #expect(Status.notFound(sts, name: "web").details?.kind == "statefulsets")
        #expect(Status.notFound(sts, name: "web").details?.group == "apps")
        #expect(Status.alreadyExists(pods, name: "p").code == 409)
        #expect(Status.conflict(sts, name: "web").message == #"Operation cannot be fulfilled on statefulsets.apps "web": the object has been modified; please apply your changes to the latest version and try again"#)
        let invalid = Status.invalid(sts, name: "web", causes: [StatusCause(reason: "FieldValueRequired", message: "Required value", field: "spec.selector")])
        let json = try JSONValue(encoding: invalid)
        #expect(json == .object([
            "kind": .string("Status"), "apiVersion": .string("v1"), "metadata": .object([:]), "status": .string("Failure"),
            "message": .string(#"StatefulSet.apps "web" is invalid: spec.selector: Required value"#), "reason": .string("Invalid"),
            "details": .object(["name": .string("web"), "group": .string("apps"), "kind": .string("StatefulSet"),
                                "causes": .array([.object(["reason": .string("FieldValueRequired"), "message": .string("Required value"), "field": .string("spec.selector")])])]),
            "code": .int(422),
        ]))
    }

    @Test func typeErrorsAreBadRequests() throws {
        let sts: JSONValue = .object(["kind": .string("StatefulSet"), "spec": .object(["replicas": .string("3")])])
        #expect(Admission.decodingError(sts, kind: "StatefulSet")
            == #"StatefulSet in version "v1" cannot be handled as a StatefulSet: json: cannot unmarshal string into Go struct field .spec.replicas of type int32"#)
        let pod: JSONValue = .object(["spec": .object(["containers": .array([.object(["name": .int(1)])])])])
        #expect(Admission.decodingError(pod, kind: "Pod")?.contains(".spec.containers[0].name of type string") == true)
        let documents = try ManifestDecoder.documents(from: SeedManifests.all)
        for document in documents {
            #expect(Admission.decodingError(document, kind: document["kind"]?.stringValue ?? "") == nil)
        }
    }

    @Test func bindingNeedsATarget() throws {
        let pods = try #require(ResourceCatalog.resource(named: "pods"))
        let binding: JSONValue = .object(["metadata": .object(["name": .string("web-0"), "namespace": .string("default")]),
                                          "target": .object(["kind": .string("Pod")])])
        #expect(Admission.validate(binding, old: nil, resource: pods, subresource: "binding").map(\.field) == ["target.kind", "target.name"])
    }
}
