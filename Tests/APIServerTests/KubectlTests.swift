import Foundation
import KubeClient
import KubeModel
import Testing

@testable import APIServer

/// The real kubectl (1.27 and 1.33) against the server.
@Suite(.serialized, .enabled(if: kubectlDirectory != nil, "kubectl.1.27/kubectl.1.33 not installed"))
struct KubectlTests {
    struct Kubectl {
        let binary: String
        let kubeconfig: String

        @discardableResult
        func callAsFunction(_ arguments: String..., stdin: String? = nil, expectSuccess: Bool = true,
                            sourceLocation: SourceLocation = #_sourceLocation) async throws -> CommandResult {
            let result = try await runCommand(binary, ["--kubeconfig", kubeconfig] + arguments, stdin: stdin)
            if expectSuccess {
                #expect(result.status == 0, "kubectl \(arguments.joined(separator: " ")): \(result.stderr)", sourceLocation: sourceLocation)
            }
            return result
        }
    }

    func seed(_ file: String) -> String { repositoryRoot + "/examples/seed/" + file }

    @Test(arguments: [27, 33])
    func seedWorkflow(minor: Int) async throws {
        let cluster = try await TestCluster.start(minor: minor)
        defer { cluster.remove() }
        let kubectl = Kubectl(binary: kubectlDirectory! + "/kubectl.1.\(minor)", kubeconfig: cluster.kubeconfigPath)
        let validate: [String] = []

        // apply: created, with default validation on kubectl versions that read OpenAPI v3.
        for file in ["storageclass.yaml", "pv.yaml", "web.yaml"] {
            let result = try await runCommand(kubectl.binary, ["--kubeconfig", kubectl.kubeconfig, "apply", "-f", seed(file)] + validate)
            #expect(result.status == 0, "apply \(file): \(result.stderr)")
            #expect(result.stdout.contains("created"), "apply \(file): \(result.stdout)")
            #expect(!result.stderr.contains("warning"), "apply \(file): \(result.stderr)")
        }
        // apply again with a change: patched, not replaced.
        let changed = try String(contentsOfFile: seed("web.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "replicas: 3", with: "replicas: 4")
        let reapply = try await runCommand(kubectl.binary, ["--kubeconfig", kubectl.kubeconfig, "apply", "-f", "-"] + validate, stdin: changed)
        #expect(reapply.status == 0, "\(reapply.stderr)")
        #expect(reapply.stdout.contains("statefulset.apps/web configured"), "\(reapply.stdout)")
        #expect(reapply.stdout.contains("service/nginx unchanged"), "\(reapply.stdout)")
        let sts = try JSONValue(json: Data(try await kubectl("get", "sts", "web", "-o", "json").stdout.utf8))
        #expect(sts[path: ["spec", "replicas"]] == .int(4))
        #expect(sts[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["volumeMounts"]?.arrayValue?.count == 1)
        #expect(sts[path: ["metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"]] != nil)
        #expect(sts[path: ["metadata", "generation"]] == .int(2))

        // get with a real cluster's columns.
        let getSts = try await kubectl("get", "statefulsets").stdout
        #expect(getSts.hasPrefix("NAME   READY   AGE"), "\(getSts)")
        let getPV = try await kubectl("get", "pv").stdout
        #expect(getPV.contains("CAPACITY") && getPV.contains("datadir1") && getPV.contains("RWO"), "\(getPV)")
        let getSC = try await kubectl("get", "storageclass").stdout
        #expect(getSC.contains("local-class") && getSC.contains("kubernetes.io/no-provisioner"), "\(getSC)")
        let wide = try await kubectl("get", "sts", "-o", "wide").stdout
        #expect(wide.contains("CONTAINERS") && wide.contains("k8s.gcr.io/nginx-slim:0.8"), "\(wide)")
        let labels = try await kubectl("get", "svc", "--show-labels").stdout
        #expect(labels.contains("app=nginx"), "\(labels)")
        let all = try await kubectl("get", "sts", "-A").stdout
        #expect(all.hasPrefix("NAMESPACE") && all.contains("default"), "\(all)")
        let yaml = try await kubectl("get", "svc", "nginx", "-o", "yaml").stdout
        #expect(yaml.contains("clusterIP: None"), "\(yaml)")
        let namespaces = try await kubectl("get", "ns").stdout
        #expect(namespaces.contains("kube-system"), "\(namespaces)")

        // get -w sees a change.
        let watcher = Process()
        watcher.executableURL = URL(fileURLWithPath: kubectl.binary)
        watcher.arguments = ["--kubeconfig", kubectl.kubeconfig, "get", "configmaps", "-w"]
        let pipe = Pipe()
        watcher.standardOutput = pipe
        watcher.standardError = FileHandle.nullDevice
        try watcher.run()
        try await Task.sleep(nanoseconds: 1_500_000_000)
        try await kubectl("apply", "-f", "-", stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: watched\ndata:\n  a: b\n")
        let collected = NIOLockedBox("")
        let handle = pipe.fileHandleForReading
        DispatchQueue.global().async {
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                collected.set(collected.get() + String(decoding: data, as: UTF8.self))
            }
        }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, !collected.get().contains("watched") {
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        watcher.terminate()
        watcher.waitUntilExit()
        let seen = collected.get()
        #expect(seen.contains("watched"), "get -w printed: \(seen)")

        // scale, describe, delete.
        let scale = try await kubectl("scale", "sts", "web", "--replicas=5").stdout
        #expect(scale.contains("statefulset.apps/web scaled"), "\(scale)")
        let replicas = try await kubectl("get", "sts", "web", "-o", "jsonpath={.spec.replicas}").stdout
        #expect(replicas == "5")
        let describe = try await kubectl("describe", "sts", "web").stdout
        #expect(describe.contains("Name:") && describe.contains("web"), "\(describe)")
        let missing = try await kubectl("get", "pod", "nope", expectSuccess: false)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("Error from server (NotFound): pods \"nope\" not found"), "\(missing.stderr)")
        let deleted = try await kubectl("delete", "-f", seed("web.yaml")).stdout
        #expect(deleted.contains("statefulset.apps \"web\" deleted"), "\(deleted)")
        let after = try await kubectl("get", "sts", expectSuccess: false)
        #expect(after.stderr.contains("No resources found"), "\(after.stdout) \(after.stderr)")

        // kubectl create sends ConfigMaps, Secrets, Namespaces and Services as protobuf.
        #expect(try await kubectl("create", "configmap", "settings", "--from-literal=mode=demo").stdout.contains("configmap/settings created"))
        #expect(try await kubectl("get", "configmap", "settings", "-o", "jsonpath={.data.mode}").stdout == "demo")
        #expect(try await kubectl("create", "secret", "generic", "login", "--from-literal=password=hunter2").stdout.contains("secret/login created"))
        let password = try await kubectl("get", "secret", "login", "-o", "jsonpath={.data.password}").stdout
        #expect(Data(base64Encoded: password) == Data("hunter2".utf8))
        #expect(try await kubectl("create", "namespace", "team-a").stdout.contains("namespace/team-a created"))
        #expect(try await kubectl("create", "service", "nodeport", "web", "--tcp=80:http", "--node-port=30080").stdout
            .contains("service/web created"))
        let service = try await kubectl("get", "svc", "web", "-o", "jsonpath={.spec.type} {.spec.selector.app} {.spec.ports[0].targetPort} {.spec.ports[0].nodePort}").stdout
        #expect(service == "NodePort web http 30080", "\(service)")

        // No client certificate and a token the server did not issue: 401, which kubectl prints
        // as a login problem. (With no credentials at all kubectl prompts for a user name.)
        let anonymousConfig = cluster.directory + "/anonymous-kubeconfig"
        var config = try Kubeconfig.load(path: cluster.kubeconfigPath)
        config.users = config.users.map { .init(name: $0.name, value: Kubeconfig.User(token: "not-issued-by-this-server")) }
        try config.write(path: anonymousConfig)
        let anonymous = try await runCommand(kubectl.binary, ["--kubeconfig", anonymousConfig, "get", "pods"])
        #expect(anonymous.status != 0)
        #expect(anonymous.stderr.contains("You must be logged in to the server"), "\(anonymous.stderr)")
        await cluster.stop()
    }
}

/// The Python `kubernetes` client lists, creates, patches and watches.
@Suite(.enabled(if: (try? runCommandBlocking("/usr/bin/env", ["python3", "-c", "import kubernetes"]).status) == 0, "python kubernetes client not installed"))
struct PythonClientTests {
    @Test func listCreatePatchWatch() async throws {
        let cluster = try await TestCluster.start()
        defer { cluster.remove() }
        let script = """
        import sys
        from kubernetes import client, config, watch
        config.load_kube_config(config_file=sys.argv[1])
        v1 = client.CoreV1Api()
        names = [n.metadata.name for n in v1.list_namespace().items]
        assert "kube-system" in names, names
        cm = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py", labels={"from": "python"}), data={"a": "1"})
        v1.create_namespaced_config_map("default", cm)
        v1.patch_namespaced_config_map("py", "default", {"data": {"b": "2"}})
        got = v1.read_namespaced_config_map("py", "default")
        assert got.data == {"a": "1", "b": "2"}, got.data
        try:
            v1.read_namespaced_config_map("missing", "default")
            raise SystemExit("expected 404")
        except client.exceptions.ApiException as e:
            assert e.status == 404, e.status
        w = watch.Watch()
        seen = []
        for event in w.stream(v1.list_namespaced_config_map, "default", label_selector="from=python", timeout_seconds=3):
            seen.append((event["type"], event["object"].metadata.name))
        assert ("ADDED", "py") in seen, seen
        apps = client.AppsV1Api()
        print("ok", len(apps.list_stateful_set_for_all_namespaces().items))
        """
        let result = try await runCommand("/usr/bin/env", ["python3", "-c", script, cluster.kubeconfigPath], timeout: 60)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.hasPrefix("ok"))
        await cluster.stop()
    }
}
