import APIServer
import Foundation
import KubeClient
import KubeModel
import Testing
@testable import Controllers

/// A real API (registry, admission, SQLite store in a temporary directory) reached through
/// the in-process client: the controllers' tests run against the same semantics as `up`.
final class TestAPI: Sendable {
    let directory: String
    let registry: Registry
    let client: LocalKubeClient

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("controllers-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        registry = Registry(store: try SQLiteStore(path: directory + "/store.db"))
        try registry.bootstrap()
        client = LocalKubeClient(registry: registry)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// Creates every object of a YAML document stream.
    func apply(_ yaml: String) async throws {
        for document in try ManifestDecoder.documents(from: yaml) {
            guard let kind = document["kind"]?.stringValue, let apiVersion = document["apiVersion"]?.stringValue else { continue }
            let gvk = GarbageCollector.gvk(apiVersion: apiVersion, kind: kind)
            guard let resource = ResourceCatalog.resource(for: gvk) else { throw UnservedKindError(gvk: gvk) }
            _ = try await client.create(resource, namespace: resource.namespaced ? "default" : nil, document)
        }
    }

    /// The seed's StorageClass, four PVs (one more than the set needs), headless Service and StatefulSet.
    static let seed = """
    apiVersion: storage.k8s.io/v1
    kind: StorageClass
    metadata:
      name: local-class
    provisioner: kubernetes.io/no-provisioner
    volumeBindingMode: WaitForFirstConsumer
    reclaimPolicy: Delete
    ---
    \((1...4).map { n in """
    kind: PersistentVolume
    apiVersion: v1
    metadata:
      name: datadir\(n)
      labels:
        type: local
    spec:
      storageClassName: local-class
      capacity:
        storage: 5Gi
      accessModes:
        - ReadWriteOnce
      hostPath:
        path: "/tmp/minikube-swift-test-data\(n)"
    """ }.joined(separator: "\n---\n"))
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: nginx
      labels:
        app: nginx
    spec:
      ports:
      - port: 80
        name: web
      clusterIP: None
      selector:
        app: nginx
    ---
    apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      name: web
    spec:
      selector:
        matchLabels:
          app: nginx
      serviceName: "nginx"
      replicas: 3
      template:
        metadata:
          labels:
            app: nginx
        spec:
          terminationGracePeriodSeconds: 10
          containers:
          - name: nginx
            image: k8s.gcr.io/nginx-slim:0.8
            ports:
            - containerPort: 80
              name: web
            volumeMounts:
            - name: www
              mountPath: /usr/share/nginx/html
      volumeClaimTemplates:
      - metadata:
          name: www
        spec:
          accessModes: [ "ReadWriteOnce" ]
          storageClassName: "local-class"
          resources:
            requests:
              storage: 1Gi
    """

    func pods() async throws -> [Pod] {
        try await client.list(Pod.self, namespace: "default").sorted { $0.name < $1.name }
    }

    func podNames() async throws -> [String] { try await pods().map(\.name) }

    /// What a kubelet reports for a started pod: Running, Ready, an IP.
    func markRunning(_ name: String, ready: Bool = true, ip: String? = nil) async throws {
        let status: JSONValue = [
            "phase": "Running",
            "podIP": .string(ip ?? "10.244.0.\(abs(name.hashValue % 200) + 2)"),
            "conditions": [["type": "Ready", "status": ready ? "True" : "False", "lastTransitionTime": .string(RFC3339.now())]],
        ]
        _ = try await client.mergePatch(Pod.self, namespace: "default", name: name, ["status": status], subresource: "status")
    }

    func registerNode(_ name: String = "node-1", ready: Bool = true) async throws {
        let node: JSONValue = [
            "apiVersion": "v1", "kind": "Node",
            "metadata": ["name": .string(name), "labels": ["kubernetes.io/hostname": .string(name)]],
        ]
        _ = try await client.create(Node.resource, namespace: nil, node)
        let status: JSONValue = [
            "capacity": ["cpu": "2", "memory": "8Gi", "pods": "110"],
            "allocatable": ["cpu": "2", "memory": "8Gi", "pods": "110"],
            "conditions": [["type": "Ready", "status": ready ? "True" : "False"]],
        ]
        _ = try await client.mergePatch(Node.self, name: name, ["status": status], subresource: "status")
    }

    func events(for name: String) async throws -> [String] {
        try await client.list(Event.self, namespace: "default", fieldSelector: "involvedObject.name=\(name)").compactMap(\.message)
    }
}
