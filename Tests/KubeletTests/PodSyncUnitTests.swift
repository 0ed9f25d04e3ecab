import APIServer
import Foundation
import KubeClient
import KubeModel
import Testing
@testable import Kubelet

private func pod(_ yaml: String) throws -> Pod {
    try #require(ManifestDecoder.documents(from: yaml).first).decode(Pod.self)
}

private let webPod = """
    apiVersion: v1
    kind: Pod
    metadata: {name: web-0, namespace: default, uid: 1111-2222, labels: {app: nginx}, annotations: {team: a}}
    spec:
      hostname: web-0
      subdomain: nginx
      nodeName: node-1
      serviceAccountName: default
      containers:
      - name: nginx
        image: k8s.gcr.io/nginx-slim:0.8
        resources: {limits: {memory: 64Mi, cpu: 500m}}
        env:
        - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
        - {name: POD_NS, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
        - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
        - {name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
        - {name: APP, valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}}
        - {name: GREETING, value: "hi $(POD_NAME) $$(POD_NAME) $(MISSING)"}
        - {name: MEM, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}
        - {name: COLOR, valueFrom: {configMapKeyRef: {name: settings, key: color}}}
        - {name: TOKEN, valueFrom: {secretKeyRef: {name: creds, key: token}}}
        envFrom:
        - {prefix: CFG_, configMapRef: {name: settings}}
    """

@Suite struct PodFilesTests {
    @Test func hostsNameTheStatefulSetPodByItsFullyQualifiedName() throws {
        let hosts = PodFiles.hosts(pod: try pod(webPod), podIP: "10.244.0.5", clusterDomain: "cluster.local")
        #expect(hosts.hasPrefix("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"))
        #expect(hosts.contains("10.244.0.5\tweb-0.nginx.default.svc.cluster.local\tweb-0\n"))
    }

    @Test func hostsWithoutSubdomainOrAddress() throws {
        var plain = try pod(webPod)
        plain.spec?.subdomain = nil
        plain.spec?.hostAliases = [HostAlias(ip: "10.1.2.3", hostnames: ["foo.local", "bar.local"])]
        let hosts = PodFiles.hosts(pod: plain, podIP: "10.244.0.9", clusterDomain: "cluster.local")
        #expect(hosts.contains("10.244.0.9\tweb-0\n"))
        #expect(hosts.contains("# Entries added by HostAliases.\n10.1.2.3\tfoo.local\tbar.local\n"))
        #expect(!PodFiles.hosts(pod: plain, podIP: nil, clusterDomain: "cluster.local").contains("web-0"))
    }

    @Test func resolvConfForClusterFirst() throws {
        let text = PodFiles.resolvConf(pod: try pod(webPod), clusterDNS: "10.96.0.10", clusterDomain: "cluster.local", hostResolvConf: "nameserver 1.1.1.1\n")
        #expect(text == "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n")
    }

    @Test func resolvConfForDefaultAndNoneWithDNSConfig() throws {
        var p = try pod(webPod)
        p.spec?.dnsPolicy = "Default"
        #expect(PodFiles.resolvConf(pod: p, clusterDNS: "10.96.0.10", clusterDomain: "cluster.local",
                                    hostResolvConf: "# c\nnameserver 192.0.2.1\nsearch corp\n") == "search corp\nnameserver 192.0.2.1\n")
        p.spec?.dnsPolicy = "None"
        p.spec?.dnsConfig = PodDNSConfig(nameservers: ["192.0.2.53"], searches: ["x.test"], options: [PodDNSConfigOption(name: "ndots", value: "2"), PodDNSConfigOption(name: "edns0")])
        #expect(PodFiles.resolvConf(pod: p, clusterDNS: "10.96.0.10", clusterDomain: "cluster.local", hostResolvConf: "")
                == "search x.test\nnameserver 192.0.2.53\noptions ndots:2 edns0\n")
    }

    @Test func hostnameIsCutTo63Characters() throws {
        var p = try pod(webPod)
        p.spec?.hostname = nil
        p.metadata.name = String(repeating: "a", count: 70)
        #expect(PodFiles.hostname(of: p).count == 63)
    }
}

@Suite struct ContainerEnvironmentTests {
    let sources = ContainerEnvironment.Sources(
        configMaps: ["settings": ConfigMap(metadata: ObjectMeta(name: "settings"), data: ["color": "blue", "size": "L"])],
        secrets: ["creds": Secret(metadata: ObjectMeta(name: "creds"), data: ["token": Data("s3cret".utf8).base64EncodedString()])],
        podIP: "10.244.0.7", hostIP: "192.0.2.10")

    @Test func resolvesDownwardAPIReferencesAndExpansion() throws {
        let p = try pod(webPod)
        let env = try ContainerEnvironment.resolve(pod: p, container: p.spec!.containers[0], sources: sources)
        #expect(env == [
            "CFG_color=blue", "CFG_size=L", "POD_NAME=web-0", "POD_NS=default", "POD_IP=10.244.0.7", "NODE=node-1", "APP=nginx",
            "GREETING=hi web-0 $(POD_NAME) $(MISSING)", "MEM=64", "COLOR=blue", "TOKEN=s3cret",
        ])
    }

    @Test func missingConfigMapIsAConfigError() throws {
        let p = try pod(webPod)
        #expect(throws: ContainerEnvironment.ConfigError(message: "configmap \"settings\" not found")) {
            try ContainerEnvironment.resolve(pod: p, container: p.spec!.containers[0], sources: .init())
        }
        var missingKey = sources
        missingKey.secrets["creds"] = Secret(metadata: ObjectMeta(name: "creds"), data: [:])
        #expect(throws: ContainerEnvironment.ConfigError(message: "couldn't find key token in Secret default/creds")) {
            try ContainerEnvironment.resolve(pod: p, container: p.spec!.containers[0], sources: missingKey)
        }
    }

    @Test func referencesNameEverySource() throws {
        let p = try pod(webPod)
        let refs = ContainerEnvironment.references(of: p.spec!.containers[0])
        #expect(refs.configMaps == ["settings"])
        #expect(refs.secrets == ["creds"])
    }
}

@Suite struct PodStatusBuilderTests {
    func state(_ records: [String: ContainerRecord], network: Bool = true) -> PodRuntimeState {
        let state = PodRuntimeState(uid: "1111-2222", startTime: "2026-11-30T00:00:00Z")
        state.containers = records
        if network {
            state.network = PodNetworkStatus(pod: PodIdentity(namespace: "default", name: "web-0", uid: "1111-2222"), netnsName: "mks-1111-2222",
                                             netnsPath: "/run/netns/mks-1111-2222", ip: IPv4Address(10, 244, 0, 5), prefixLength: 24,
                                             gateway: IPv4Address(10, 244, 0, 1), interfaceName: "eth0", macAddress: "0a:58:0a:f4:00:05",
                                             hostInterfaceName: "veth1", bridgeName: "cni0")
        }
        return state
    }

    @Test func runningAndReadyContainer() throws {
        var record = ContainerRecord()
        record.runtimeID = "1111-2222-nginx-0"
        record.state = .running(startedAt: "2026-11-30T00:00:01Z")
        record.ready = true
        record.started = true
        record.image = "k8s.gcr.io/nginx-slim:0.8"
        let status = PodStatusBuilder.status(pod: try pod(webPod), state: state(["nginx": record]), hostIP: "192.0.2.10", now: "2026-11-30T00:00:02Z")
        #expect(status.phase == "Running")
        #expect(status.podIP == "10.244.0.5")
        #expect(status.hostIP == "192.0.2.10")
        #expect(status.conditions?.map(\.type) == ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"])
        #expect(status.conditions?.allSatisfy { $0.status == "True" } == true)
        let container = try #require(status.containerStatuses?.first)
        #expect(container.ready && container.started == true)
        #expect(container.state?.running?.startedAt == "2026-11-30T00:00:01Z")
        #expect(container.containerID == "minikube-swift://1111-2222-nginx-0")
    }

    @Test func creatingContainerIsPendingAndNotReady() throws {
        let status = PodStatusBuilder.status(pod: try pod(webPod), state: state([:], network: false), hostIP: "192.0.2.10", now: "2026-11-30T00:00:02Z")
        #expect(status.phase == "Pending")
        #expect(status.containerStatuses?.first?.state?.waiting?.reason == "ContainerCreating")
        let ready = try #require(status.conditions?.first { $0.type == "Ready" })
        #expect(ready.status == "False" && ready.reason == "ContainersNotReady" && ready.message == "containers with unready status: [nginx]")
    }

    @Test func phasesFollowRestartPolicy() throws {
        var done = ContainerRecord()
        done.state = .terminated(ContainerStateTerminated(exitCode: 0, reason: "Completed"))
        var failed = ContainerRecord()
        failed.state = .terminated(ContainerStateTerminated(exitCode: 3, reason: "Error"))
        var crashLooping = ContainerRecord()
        crashLooping.state = .waiting(reason: "CrashLoopBackOff", message: nil)
        crashLooping.lastTerminated = ContainerStateTerminated(exitCode: 1, reason: "Error")
        var p = try pod(webPod)
        for (policy, record, phase) in [("Never", done, "Succeeded"), ("OnFailure", done, "Succeeded"), ("Always", done, "Running"),
                                        ("Never", failed, "Failed"), ("OnFailure", failed, "Running"), ("Always", crashLooping, "Running")] {
            p.spec?.restartPolicy = policy
            #expect(PodStatusBuilder.phase(pod: p, state: state(["nginx": record]), initialized: true) == phase, "\(policy)")
        }
    }

    @Test func transitionTimesStayWhileTheConditionHolds() throws {
        var p = try pod(webPod)
        var record = ContainerRecord()
        record.state = .running(startedAt: "2026-11-30T00:00:01Z")
        record.ready = true
        let first = PodStatusBuilder.status(pod: p, state: state(["nginx": record]), hostIP: "h", now: "2026-11-30T00:00:02Z")
        p.status = first
        let second = PodStatusBuilder.status(pod: p, state: state(["nginx": record]), hostIP: "h", now: "2026-11-30T00:05:00Z")
        #expect(first == second)
    }
}

@Suite struct PodVolumesTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("volumes-\(UUID().uuidString)").path

    @Test func hostPathTypesAreChecked() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let directory = root + "/made"
        #expect(try PodVolumes.checkHostPath(directory, type: "DirectoryOrCreate", volume: "v") == directory)
        #expect(PodVolumes.fileType(directory) == .directory)
        #expect(throws: VolumeError(volume: "v", message: "hostPath type check failed: \(directory) is not a file")) {
            try PodVolumes.checkHostPath(directory, type: "File", volume: "v")
        }
        let file = root + "/sub/file"
        _ = try PodVolumes.checkHostPath(file, type: "FileOrCreate", volume: "v")
        #expect(PodVolumes.fileType(file) == .file)
        #expect(throws: VolumeError.self) { try PodVolumes.checkHostPath(root + "/nope", type: "Directory", volume: "v") }
        // No type: a missing directory is created, as container runtimes do.
        _ = try PodVolumes.checkHostPath(root + "/untyped", type: "", volume: "v")
        #expect(PodVolumes.fileType(root + "/untyped") == .directory)
    }

    @Test func subPathStaysInsideTheVolume() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/vol", withIntermediateDirectories: true)
        #expect(try PodVolumes.subPath("a/b", in: root + "/vol", volume: "v").hasSuffix("/vol/a/b"))
        #expect(throws: VolumeError.self) { try PodVolumes.subPath("../x", in: root + "/vol", volume: "v") }
        try FileManager.default.createSymbolicLink(atPath: root + "/vol/out", withDestinationPath: "/etc")
        #expect(throws: VolumeError.self) { try PodVolumes.subPath("out", in: root + "/vol", volume: "v") }
    }

    @Test func projectionWritesItemsWithModes() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let target = root + "/cm"
        try PodVolumes.project(["a": Array("1".utf8), "b": Array("2".utf8)], items: [KeyToPath(key: "b", path: "dir/b.txt", mode: 0o600)],
                               defaultMode: 0o644, into: target, optional: false, what: "configmap x", volume: "v")
        #expect(try String(contentsOfFile: target + "/dir/b.txt", encoding: .utf8) == "2")
        #expect(!FileManager.default.fileExists(atPath: target + "/a"))
        let mode = try FileManager.default.attributesOfItem(atPath: target + "/dir/b.txt")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(throws: VolumeError.self) {
            try PodVolumes.project([:], items: [KeyToPath(key: "zz", path: "z")], defaultMode: 0o644, into: target, optional: false, what: "configmap x", volume: "v")
        }
    }

    @Test func claimsResolveToTheirBoundVolumeAndWaitOtherwise() async throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let registry = Registry(store: try SQLiteStore(path: root + "/store.db"))
        try registry.bootstrap()
        let client = LocalKubeClient(registry: registry)
        let claim: JSONValue = ["apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": ["name": "www-web-0", "namespace": "default"],
                                "spec": ["accessModes": ["ReadWriteOnce"], "resources": ["requests": ["storage": "1Gi"]]]]
        _ = try await client.create(PersistentVolumeClaim.resource, namespace: "default", claim)
        let p = try pod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: web-0, namespace: default, uid: u1}
            spec:
              containers: [{name: nginx, image: busybox, volumeMounts: [{name: www, mountPath: /usr/share/nginx/html}]}]
              volumes: [{name: www, persistentVolumeClaim: {claimName: www-web-0}}]
            """)
        let volumes = PodVolumes(client: client, podDirectory: root + "/pod")
        await #expect(throws: VolumeError(volume: "www", message: "persistentvolumeclaim \"www-web-0\" is not bound")) {
            _ = try await volumes.prepare(p)
        }
        let pv: JSONValue = ["apiVersion": "v1", "kind": "PersistentVolume", "metadata": ["name": "datadir1"],
                             "spec": ["capacity": ["storage": "5Gi"], "accessModes": ["ReadWriteOnce"], "hostPath": ["path": .string(root + "/data1")]]]
        _ = try await client.create(PersistentVolume.resource, namespace: nil, pv)
        _ = try await client.mergePatch(PersistentVolumeClaim.self, namespace: "default", name: "www-web-0", ["spec": ["volumeName": "datadir1"]])
        _ = try await client.mergePatch(PersistentVolumeClaim.self, namespace: "default", name: "www-web-0", ["status": ["phase": "Bound"]], subresource: "status")
        let prepared = try await volumes.prepare(p)
        #expect(prepared["www"] == HostVolume(path: root + "/data1"))
        let mounts = try PodVolumes.mounts(for: p.spec!.containers[0], volumes: prepared)
        #expect(mounts == [ContainerSpec.Mount(source: root + "/data1", destination: "/usr/share/nginx/html")])
    }
}
