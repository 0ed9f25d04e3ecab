import Foundation
import Testing
@testable import KubeModel

@Suite struct ManifestDecoderTests {
    @Test func multiDocumentYAML() throws {
        let yaml = """
        apiVersion: v1
        kind: Service
        metadata:
          name: nginx
        spec:
          ports:
          - port: 80
            name: web
          clusterIP: None
        ---
        # only a comment
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: web
          annotations:
            quoted: "80"
            flag: "true"
        spec:
          replicas: 3
          paused: true
          ratio: 0.5
          nothing: null
        """
        let docs = try ManifestDecoder.documents(from: Data(yaml.utf8))
        #expect(docs.count == 2)
        #expect(docs[0]["kind"] == .string("Service"))
        #expect(docs[0][path: ["spec", "ports"]]?.arrayValue?.first?["port"] == .int(80))
        #expect(docs[0][path: ["spec", "clusterIP"]] == .string("None"))
        #expect(docs[1][path: ["spec", "replicas"]] == .int(3))
        #expect(docs[1][path: ["spec", "paused"]] == .bool(true))
        #expect(docs[1][path: ["spec", "ratio"]] == .double(0.5))
        #expect(docs[1][path: ["spec", "nothing"]] == .null)
        #expect(docs[1][path: ["metadata", "annotations", "quoted"]] == .string("80"))
        #expect(docs[1][path: ["metadata", "annotations", "flag"]] == .string("true"))
    }

    @Test func jsonInput() throws {
        let docs = try ManifestDecoder.documents(from: Data(#"{"kind":"Pod","spec":{"n":1,"x":[1,"a"]}}"#.utf8))
        #expect(docs == [.object(["kind": .string("Pod"), "spec": .object(["n": .int(1), "x": .array([.int(1), .string("a")])])])])
    }

    @Test func errorNamesTheLine() {
        let yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: [a\nspec: {}\n"
        #expect {
            _ = try ManifestDecoder.documents(from: Data(yaml.utf8))
        } throws: { error in
            guard let error = error as? ManifestDecoder.DecodingError else { return false }
            return error.line != nil && error.description.hasPrefix("yaml: line ")
        }
        let bad = "a: b\nc: d: e\n"
        do {
            _ = try ManifestDecoder.documents(from: bad)
            Issue.record("expected an error")
        } catch let error as ManifestDecoder.DecodingError {
            #expect(error.line == 2)
            #expect(error.description == "yaml: line 2: mapping values are not allowed in this context")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    /// Scalars resolve as Kubernetes' YAML reader (go-yaml v2) resolves them.
    @Test func scalarsResolveLikeKubernetes() throws {
        let yaml = "a: 1:30\nb: 2001-01-01\nc: 0x1F\nd: 1_000\ne: 1e3\nf: on\ng: ~\nh: '1'\ni: 1.5\nj: -7\n"
        let doc = try #require(try ManifestDecoder.documents(from: yaml).first)
        #expect(doc == .object([
            "a": .string("1:30"), "b": .string("2001-01-01"), "c": .int(31), "d": .int(1000), "e": .int(1000),
            "f": .bool(true), "g": .null, "h": .string("1"), "i": .double(1.5), "j": .int(-7),
        ]))
    }

    @Test func listsAreFlattened() throws {
        let yaml = "kind: List\napiVersion: v1\nitems:\n- kind: Pod\n- kind: Service\n"
        let objects = try ManifestDecoder.objects(from: Data(yaml.utf8))
        #expect(objects.map { $0["kind"]?.stringValue } == ["Pod", "Service"])
    }
}
