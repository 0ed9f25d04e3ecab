import AsyncHTTPClient
import Foundation
import NIOHTTP1
import KubeClient
import KubeModel
import Testing

@testable import APIServer

@Suite(.serialized) struct ServerTests {
    @Test func healthIsOpenAndEverythingElseNeedsACertificate() async throws {
        let cluster = try await TestCluster.start()
        defer { cluster.remove() }
        let health = try await cluster.request(.GET, "/healthz", anonymous: true)
        #expect(health.status == 200)
        #expect(String(decoding: health.body, as: UTF8.self) == "ok")
        let pods = try await cluster.request(.GET, "/api/v1/pods", anonymous: true)
        #expect(pods.status == 401)
        let status = try JSONValue(json: pods.body)
        #expect(status["reason"] == .string("Unauthorized"))
        #expect(status["kind"] == .string("Status"))
        let authed = try await cluster.request(.GET, "/api/v1/pods")
        #expect(authed.status == 200)
        // The issued token works instead of a certificate.
        await cluster.stop()
    }

    @Test func aggregatedDiscoveryHasTheExactContentType() async throws {
        let cluster = try await TestCluster.start()
        defer { cluster.remove() }
        let accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
        let apis = try await cluster.request(.GET, "/apis", accept: accept)
        #expect(apis.headers.first { $0.0.lowercased() == "content-type" }?.1 == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
        let list = try JSONValue(json: apis.body)
        #expect(list["items"]?.arrayValue?.contains { $0[path: ["metadata", "name"]] == .string("apps") } == true)
        let v1 = try JSONValue(json: try await cluster.request(.GET, "/api/v1").body)
        let names = v1["resources"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        #expect(names.contains("pods") && names.contains("pods/status") && names.contains("pods/binding"))
        let version = try JSONValue(json: try await cluster.request(.GET, "/version").body)
        #expect(version["minor"] == .string("33"))
        await cluster.stop()
    }

    @Test func badInputsGetTheirStatusCodes() async throws {
        let cluster = try await TestCluster.start()
        defer { cluster.remove() }
        func post(_ path: String, _ body: String, contentType: String = "application/json") async throws -> (Int, JSONValue) {
            let response = try await cluster.request(.POST, path, body: body, contentType: contentType)
            return (response.status, (try? JSONValue(json: response.body)) ?? .null)
        }
        let cm = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"b"}}"#
        #expect(try await post("/api/v1/namespaces/default/configmaps", cm).0 == 201)
        let duplicate = try await post("/api/v1/namespaces/default/configmaps", cm)
        #expect(duplicate.0 == 409)
        #expect(duplicate.1["message"] == .string("configmaps \"c\" already exists"))
        let malformed = try await post("/api/v1/namespaces/default/configmaps", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n", contentType: "application/yaml")
        #expect(malformed.0 == 400)
        #expect(malformed.1["message"]?.stringValue?.contains("line") == true)
        let mismatch = try await post("/api/v1/namespaces/default/configmaps", #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"d","namespace":"kube-system"}}"#)
        #expect(mismatch.0 == 400)
        #expect(mismatch.1["message"] == .string("the namespace of the provided object does not match the namespace sent on the request"))
        let noNamespace = try await post("/api/v1/namespaces/nope/configmaps", #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"d"}}"#)
        #expect(noNamespace.0 == 404)
        #expect(noNamespace.1["message"] == .string("namespaces \"nope\" not found"))
        let invalid = try await post("/api/v1/namespaces/default/configmaps", #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad_Name"}}"#)
        #expect(invalid.0 == 422)
        #expect(invalid.1["reason"] == .string("Invalid"))
        let big = try await post("/api/v1/namespaces/default/configmaps", #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"a":""# + String(repeating: "x", count: 3 * 1024 * 1024 + 10) + #""}}"#)
        #expect(big.0 == 413)
        let protobuf = try await post("/api/v1/namespaces/default/configmaps", "xx", contentType: "application/vnd.kubernetes.protobuf")
        #expect(protobuf.0 == 415)
        let missing = try await cluster.request(.GET, "/api/v1/namespaces/default/pods/x")
        #expect(missing.status == 404)
        #expect(try JSONValue(json: missing.body)["message"] == .string("pods \"x\" not found"))
        let method = try await cluster.request(.PUT, "/api/v1/namespaces/default/configmaps", body: cm)
        #expect(method.status == 405)
        let patchType = try await cluster.request(.PATCH, "/api/v1/namespaces/default/configmaps/c", body: "{}", contentType: "text/plain")
        #expect(patchType.status == 415)
        await cluster.stop()
    }

    @Test func httpAndLocalClientsBehaveTheSame() async throws {
        let cluster = try await TestCluster.start()
        defer { cluster.remove() }
        let http = try cluster.client()
        let clients: [(String, any KubeClient)] = [("http", http), ("local", cluster.server.client)]
        let sts = ResourceCatalog.resource(group: "apps", version: "v1", plural: "statefulsets")!
        for (label, client) in clients {
            var object = statefulSet
            setJSON(&object, ["metadata", "name"], .string("web-\(label)"))
            let watch = try await client.watch(sts, namespace: "default", options: ListOptions(fieldSelector: "metadata.name=web-\(label)"))
            let created = try await client.create(sts, namespace: "default", object)
            #expect(metadataString(created, "name") == "web-\(label)")
            let fetched = try await client.get(sts, namespace: "default", name: "web-\(label)")
            #expect(fetched == created)
            var stale = fetched
            setJSON(&stale, ["spec", "replicas"], .int(4))
            _ = try await client.update(sts, namespace: "default", stale)
            await #expect(throws: KubeAPIError.self) { _ = try await client.update(sts, namespace: "default", stale) }
            var status = try await client.get(sts, namespace: "default", name: "web-\(label)")
            setJSON(&status, ["status", "replicas"], .int(4))
            setJSON(&status, ["spec", "replicas"], .int(9))
            let afterStatus = try await client.updateStatus(sts, namespace: "default", status)
            #expect(afterStatus[path: ["status", "replicas"]] == .int(4))
            #expect(afterStatus[path: ["spec", "replicas"]] == .int(4))
            let scaled = try await client.patch(sts, namespace: "default", name: "web-\(label)", type: .merge,
                                                .object(["spec": .object(["replicas": .int(5)])]), subresource: "scale")
            #expect(scaled[path: ["spec", "replicas"]] == .int(5))
            let list = try await client.list(sts, namespace: "default")
            #expect(list.items.contains { metadataString($0, "name") == "web-\(label)" })
            try await client.delete(sts, namespace: "default", name: "web-\(label)")
            var types: [KubeWatchEvent.EventType] = []
            for try await event in watch {
                types.append(event.type)
                if event.type == .deleted { break }
            }
            #expect(types == [.added, .modified, .modified, .modified, .deleted], "\(label)")
        }
        try await http.shutdown()
        await cluster.stop()
    }

    @Test func watchOverHTTPStreamsTablesAndTimesOut() async throws {
        let cluster = try await TestCluster.start()
        defer { cluster.remove() }
        let cm = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"w"}}"#
        _ = try await cluster.request(.POST, "/api/v1/namespaces/default/configmaps", body: cm)
        let response = try await cluster.request(.GET, "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=2",
                                                 accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
        let lines = String(decoding: response.body, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 1)
        let event = try JSONValue(json: Data(lines[0].utf8))
        #expect(event["type"] == .string("ADDED"))
        #expect(event[path: ["object", "kind"]] == .string("Table"))
        #expect(event[path: ["object", "rows"]]?.arrayValue?.first?[path: ["object", "kind"]] == .string("PartialObjectMetadata"))
        // The ended watch leaves no subscription behind.
        for _ in 0..<50 where cluster.server.store.watcherCount > 0 { try await Task.sleep(nanoseconds: 100_000_000) }
        #expect(cluster.server.store.watcherCount == 0)
        // A resourceVersion older than the kept window: an ERROR event carrying 410 Expired.
        await cluster.stop()
    }

    @Test func restartKeepsData() async throws {
        let first = try await TestCluster.start()
        defer { first.remove() }
        let cm = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"keep"},"data":{"k":"v"}}"#
        let created = try await first.request(.POST, "/api/v1/namespaces/default/configmaps", body: cm)
        #expect(created.status == 201)
        let rv = try JSONValue(json: created.body)[path: ["metadata", "resourceVersion"]]
        await first.stop()
        let second = try await TestCluster.start(directory: first.directory)
        let fetched = try JSONValue(json: try await second.request(.GET, "/api/v1/namespaces/default/configmaps/keep").body)
        #expect(fetched[path: ["data", "k"]] == .string("v"))
        #expect(fetched[path: ["metadata", "resourceVersion"]] == rv)
        await second.stop()
    }
}

@Suite struct DecodingTests {
    @Test func wrongFieldTypeIsBadRequestAndUnknownFieldIsStrict() async throws {
        let cluster = try await TestCluster.start()
        defer { cluster.remove() }
        let wrongType = try await cluster.request(.POST, "/apis/apps/v1/namespaces/default/statefulsets",
            body: #"{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"w"},"spec":{"replicas":"three"}}"#)
        #expect(wrongType.status == 400)
        let unknown = try await cluster.request(.POST, "/api/v1/namespaces/default/configmaps?fieldValidation=Strict",
            body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"u"},"dataa":{}}"#)
        #expect(unknown.status == 400)
        #expect(try JSONValue(json: unknown.body)["message"]?.stringValue?.contains("unknown field \"dataa\"") == true)
        let warned = try await cluster.request(.POST, "/api/v1/namespaces/default/configmaps?fieldValidation=Warn",
            body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"u"},"dataa":{}}"#)
        #expect(warned.status == 201)
        #expect(warned.headers.contains { $0.0.lowercased() == "warning" && $0.1.contains("dataa") })
        await cluster.stop()
    }
}

@Suite struct WatchWindowTests {
    @Test func tooOldResourceVersionIsExpired() async throws {
        let cluster = try TestCluster(eventWindow: 3)
        defer { cluster.remove() }
        try await cluster.run()
        for index in 0..<10 {
            _ = try await cluster.request(.POST, "/api/v1/namespaces/default/configmaps",
                                          body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c\#(index)"}}"#)
        }
        let response = try await cluster.request(.GET, "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=2&timeoutSeconds=1")
        #expect(response.status == 200)
        let event = try JSONValue(json: Data(String(decoding: response.body, as: UTF8.self).split(separator: "\n")[0].utf8))
        #expect(event["type"] == .string("ERROR"))
        #expect(event[path: ["object", "code"]] == .int(410))
        #expect(event[path: ["object", "reason"]] == .string("Expired"))
        #expect(event[path: ["object", "message"]]?.stringValue?.hasPrefix("too old resource version: 2") == true)
        let client = try cluster.client()
        let configmaps = ResourceCatalog.resource(group: "", version: "v1", plural: "configmaps")!
        let stream = try await client.watch(configmaps, namespace: "default", options: ListOptions(resourceVersion: "2"))
        await #expect(throws: KubeAPIError.self) { for try await _ in stream {} }
        try await client.shutdown()
        await cluster.stop()
    }
}
