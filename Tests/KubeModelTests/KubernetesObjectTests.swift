import Foundation
import Testing
@testable import KubeModel

@Suite struct KubernetesObjectTests {
    /// Decodes each seed document into its typed struct and back: nothing is lost or added.
    @Test func seedRoundTripsThroughTypedStructs() throws {
        let documents = try ManifestDecoder.documents(from: SeedManifests.all)
        #expect(documents.count == 6, "StorageClass, three PVs, Service, StatefulSet")
        for document in documents {
            let kind = try #require(document["kind"]?.stringValue)
            let reencoded: JSONValue
            switch kind {
            case "StorageClass": reencoded = try StorageClass(json: document).jsonValue()
            case "PersistentVolume": reencoded = try PersistentVolume(json: document).jsonValue()
            case "Service": reencoded = try Service(json: document).jsonValue()
            case "StatefulSet": reencoded = try StatefulSet(json: document).jsonValue()
            default: Issue.record("unexpected kind \(kind)"); continue
            }
            #expect(reencoded == document, "\(kind) changed in a typed round trip")
        }
    }

    @Test func typedAccess() throws {
        let documents = try ManifestDecoder.documents(from: SeedManifests.web)
        let sts = try StatefulSet(json: documents[1])
        #expect(sts.spec?.replicas == 3)
        #expect(sts.spec?.selector?.matches(["app": "nginx"]) == true)
        #expect(sts.spec?.template.spec?.containers.first?.image == "k8s.gcr.io/nginx-slim:0.8")
        #expect(sts.spec?.template.spec?.containers.first?.ports?.first?.containerPort == 80)
        #expect(sts.spec?.volumeClaimTemplates?.first?.spec?.resources?.requests?["storage"] == (try Quantity(parsing: "1Gi")))
        let service = try Service(json: documents[0])
        #expect(service.spec?.clusterIP == "None")
        #expect(service.spec?.ports?.first?.port == 80)
    }

    /// The JSON form keeps fields the project does not know, exactly.
    @Test func unknownFieldsAreKeptInJSONForm() throws {
        let yaml = SeedManifests.web + """
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: p
          x-custom: {a: [1, 2.5, "3", true, null]}
        spec:
          futureField: {nested: yes}
          containers:
          - name: c
            image: busybox
            somethingNew: 7
        """
        let documents = try ManifestDecoder.documents(from: yaml)
        for document in documents {
            let bytes = try document.jsonData()
            #expect(try JSONValue(json: bytes) == document)
        }
        var pod = documents[2]
        Admission.applyDefaults(to: &pod, resource: try #require(ResourceCatalog.resource(named: "pods")))
        #expect(pod[path: ["metadata", "x-custom", "a"]] == .array([.int(1), .double(2.5), .string("3"), .bool(true), .null]))
        #expect(pod[path: ["spec", "futureField", "nested"]] == .bool(true))
        #expect(pod[path: ["spec", "containers"]]?.arrayValue?.first?["somethingNew"] == .int(7))
    }

    @Test func intOrStringAndTimes() throws {
        let port = try JSONValue.object(["port": .string("http")]).decode(TCPSocketAction.self)
        #expect(port.port == .string("http"))
        #expect(try JSONValue(encoding: ServicePort(port: 80, targetPort: .int(8080)))["targetPort"] == .int(8080))
        #expect(IntOrString.string("25%").scaledValue(total: 10, roundUp: true) == 3)
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(RFC3339.string(from: date) == "2023-11-14T22:13:20Z")
        #expect(RFC3339.date(from: "2023-11-14T22:13:20Z") == date)
        #expect(RFC3339.date(from: "2023-11-14T22:13:20.5Z") == date.addingTimeInterval(0.5))
    }

    @Test func statusAndWatchEventEncode() throws {
        let status = Status(kind: "Status", apiVersion: "v1", metadata: ListMeta(), status: "Failure",
                            message: "m", reason: "Invalid",
                            details: StatusDetails(name: "web", group: "apps", kind: "StatefulSet",
                                                   causes: [StatusCause(reason: "FieldValueRequired", message: "Required value", field: "spec.selector")]),
                            code: 422)
        let json = try JSONValue(encoding: status)
        #expect(json[path: ["details", "causes"]]?.arrayValue?.first?["field"] == .string("spec.selector"))
        #expect(json["code"] == .int(422))
        let event = try JSONValue.object(["type": .string("ADDED"), "object": .object(["kind": .string("Pod")])]).decode(WatchEvent.self)
        #expect(event.object["kind"] == .string("Pod"))
    }
}
