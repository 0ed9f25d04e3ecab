import Foundation
import Testing
@testable import KubeModel

private func json(_ text: String) -> JSONValue {
    // Test fixtures are literals: a decoding failure is a bug in the test itself.
    try! JSONValue(json: Data(text.utf8))
}

private let now = Age.parseTimestamp("2026-01-02T03:04:05Z")!
private func resource(_ group: String, _ kind: String) -> APIResource {
    ResourceCatalog.resource(for: GroupVersionKind(group: group, version: group == "autoscaling" ? "v1" : "v1", kind: kind))
        ?? APIResource(gvk: GroupVersionKind(group: group, version: "v1", kind: kind), plural: kind.lowercased() + "s", namespaced: true)
}
private func strings(_ cells: [JSONValue]) -> [String] {
    cells.map { cell in
        switch cell {
        case .string(let text): return text
        case .int(let number): return "\(number)"
        case .bool(let flag): return "\(flag)"
        default: return "\(cell)"
        }
    }
}

@Suite struct TableConvertorTests {
    @Test func podColumns() {
        let columns = TableConvertor.columns(for: resource("", "Pod"))
        #expect(columns.map { $0.name.uppercased() } == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"])
        #expect(columns.filter { $0.priority == 1 }.map(\.name) == ["IP", "Node", "Nominated Node", "Readiness Gates"])
        #expect(columns[0].format == "name")
    }

    @Test func runningPodWithRestarts() {
        let pod = json("""
        {"metadata":{"name":"web-0","creationTimestamp":"2026-01-02T02:54:15Z"},
         "spec":{"nodeName":"minikube","containers":[{"name":"nginx"},{"name":"sidecar"}]},
         "status":{"phase":"Running","podIPs":[{"ip":"10.244.0.10"}],
          "conditions":[{"type":"Ready","status":"True"}],
          "containerStatuses":[
            {"name":"nginx","ready":true,"restartCount":3,"state":{"running":{}},
             "lastState":{"terminated":{"exitCode":1,"finishedAt":"2026-01-02T02:59:05Z"}}},
            {"name":"sidecar","ready":true,"restartCount":2,"state":{"running":{}}}]}}
        """)
        let cells = strings(TableConvertor.cells(for: pod, resource: resource("", "Pod"), now: now))
        #expect(cells == ["web-0", "2/2", "Running", "5 (5m ago)", "9m50s", "10.244.0.10", "minikube", "<none>", "<none>"])
    }

    @Test(arguments: [
        // waiting container
        (#"{"phase":"Pending","containerStatuses":[{"name":"c","ready":false,"restartCount":0,"state":{"waiting":{"reason":"ContainerCreating"}}}]}"#, "ContainerCreating", "0/1"),
        (#"{"phase":"Running","containerStatuses":[{"name":"c","ready":false,"restartCount":4,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}"#, "CrashLoopBackOff", "0/1"),
        // terminated container
        (#"{"phase":"Failed","containerStatuses":[{"name":"c","ready":false,"restartCount":0,"state":{"terminated":{"exitCode":137,"reason":"OOMKilled"}}}]}"#, "OOMKilled", "0/1"),
        (#"{"phase":"Failed","containerStatuses":[{"name":"c","ready":false,"restartCount":0,"state":{"terminated":{"exitCode":3}}}]}"#, "ExitCode:3", "0/1"),
        (#"{"phase":"Failed","containerStatuses":[{"name":"c","ready":false,"restartCount":0,"state":{"terminated":{"exitCode":0,"signal":9}}}]}"#, "Signal:9", "0/1"),
        (#"{"phase":"Succeeded","containerStatuses":[{"name":"c","ready":false,"restartCount":0,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}"#, "Completed", "0/1"),
        // pod-level reason and plain phase
        (#"{"phase":"Failed","reason":"Evicted"}"#, "Evicted", "0/1"),
        (#"{"phase":"Pending"}"#, "Pending", "0/1"),
        (#"{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"SchedulingGated"}]}"#, "SchedulingGated", "0/1"),
    ])
    func podStatus(status: String, expected: String, ready: String) {
        let pod = json(#"{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]},"status":"# + status + "}")
        let cells = strings(TableConvertor.cells(for: pod, resource: resource("", "Pod"), now: now))
        #expect(cells[2] == expected)
        #expect(cells[1] == ready)
    }

    @Test func initContainers() {
        let base = #"{"metadata":{"name":"p"},"spec":{"initContainers":[{"name":"i1"},{"name":"i2"}],"containers":[{"name":"c"}]},"status":{"phase":"Pending","initContainerStatuses":"#
        func status(_ inits: String) -> String {
            let pod = json(base + inits + "}}")
            return strings(TableConvertor.cells(for: pod, resource: resource("", "Pod"), now: now))[2]
        }
        #expect(status(#"[{"name":"i1","restartCount":0,"state":{"running":{}}},{"name":"i2","restartCount":0,"state":{"waiting":{"reason":"PodInitializing"}}}]"#) == "Init:0/2")
        #expect(status(#"[{"name":"i1","restartCount":0,"state":{"terminated":{"exitCode":0}}},{"name":"i2","restartCount":0,"state":{"running":{}}}]"#) == "Init:1/2")
        #expect(status(#"[{"name":"i1","restartCount":2,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]"#) == "Init:CrashLoopBackOff")
        #expect(status(#"[{"name":"i1","restartCount":0,"state":{"terminated":{"exitCode":2}}}]"#) == "Init:ExitCode:2")
        #expect(status(#"[{"name":"i1","restartCount":0,"state":{"terminated":{"exitCode":1,"reason":"Error"}}}]"#) == "Init:Error")
    }

    @Test func terminatingPod() {
        let pod = json(#"{"metadata":{"name":"p","deletionTimestamp":"2026-01-02T03:04:00Z"},"spec":{"containers":[{"name":"c"}]},"status":{"phase":"Running","containerStatuses":[{"name":"c","ready":true,"restartCount":0,"state":{"running":{}}}]}}"#)
        #expect(strings(TableConvertor.cells(for: pod, resource: resource("", "Pod"), now: now))[2] == "Terminating")
        let done = json(#"{"metadata":{"name":"p","deletionTimestamp":"2026-01-02T03:04:00Z"},"spec":{"containers":[{"name":"c"}]},"status":{"phase":"Succeeded"}}"#)
        #expect(strings(TableConvertor.cells(for: done, resource: resource("", "Pod"), now: now))[2] == "Succeeded")
    }

    @Test func statefulSet() {
        let sts = json(#"{"metadata":{"name":"web","creationTimestamp":"2026-01-01T00:00:00Z"},"spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.25"},{"name":"log","image":"busybox"}]}}},"status":{"readyReplicas":2}}"#)
        #expect(strings(TableConvertor.cells(for: sts, resource: resource("apps", "StatefulSet"), now: now)) == ["web", "2/3", "27h", "nginx,log", "nginx:1.25,busybox"])
        #expect(TableConvertor.columns(for: resource("apps", "StatefulSet")).map { $0.name.uppercased() } == ["NAME", "READY", "AGE", "CONTAINERS", "IMAGES"])
    }

    @Test func services() {
        let headless = json(#"{"metadata":{"name":"nginx","creationTimestamp":"2026-01-02T03:00:00Z"},"spec":{"type":"ClusterIP","clusterIP":"None","clusterIPs":["None"],"ports":[{"port":80,"protocol":"TCP"}],"selector":{"app":"nginx","tier":"web"}}}"#)
        #expect(strings(TableConvertor.cells(for: headless, resource: resource("", "Service"), now: now)) == ["nginx", "ClusterIP", "None", "<none>", "80/TCP", "4m5s", "app=nginx,tier=web"])
        let nodePort = json(#"{"metadata":{"name":"np"},"spec":{"type":"NodePort","clusterIPs":["10.96.0.12"],"ports":[{"port":80,"nodePort":30080,"protocol":"TCP"},{"port":53,"protocol":"UDP"}]}}"#)
        #expect(Array(strings(TableConvertor.cells(for: nodePort, resource: resource("", "Service"), now: now)).prefix(5)) == ["np", "NodePort", "10.96.0.12", "<none>", "80:30080/TCP,53/UDP"])
        let lb = json(#"{"metadata":{"name":"lb"},"spec":{"type":"LoadBalancer","clusterIPs":["10.96.0.13"]}}"#)
        #expect(strings(TableConvertor.cells(for: lb, resource: resource("", "Service"), now: now))[3] == "<pending>")
    }

    @Test func endpoints() {
        let eps = json(#"{"metadata":{"name":"nginx"},"subsets":[{"addresses":[{"ip":"10.244.0.2"},{"ip":"10.244.0.3"},{"ip":"10.244.0.4"},{"ip":"10.244.0.5"}],"ports":[{"port":80}]}]}"#)
        #expect(strings(TableConvertor.cells(for: eps, resource: resource("", "Endpoints"), now: now))[1] == "10.244.0.2:80,10.244.0.3:80,10.244.0.4:80 + 1 more...")
        let empty = json(#"{"metadata":{"name":"x"}}"#)
        #expect(strings(TableConvertor.cells(for: empty, resource: resource("", "Endpoints"), now: now))[1] == "<none>")
    }

    @Test func volumes() {
        let pv = json(#"{"metadata":{"name":"pv-0","creationTimestamp":"2026-01-02T03:00:00Z"},"spec":{"capacity":{"storage":"1024Mi"},"accessModes":["ReadWriteOnce","ReadWriteOncePod"],"persistentVolumeReclaimPolicy":"Retain","storageClassName":"local","claimRef":{"namespace":"default","name":"www-web-0"}},"status":{"phase":"Bound"}}"#)
        #expect(strings(TableConvertor.cells(for: pv, resource: resource("", "PersistentVolume"), now: now))
            == ["pv-0", "1Gi", "RWO,RWOP", "Retain", "Bound", "default/www-web-0", "local", "<unset>", "", "4m5s", "<unset>"])
        #expect(TableConvertor.columns(for: resource("", "PersistentVolume")).map { $0.name.uppercased() }
            == ["NAME", "CAPACITY", "ACCESS MODES", "RECLAIM POLICY", "STATUS", "CLAIM", "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "REASON", "AGE", "VOLUMEMODE"])
        let pending = json(#"{"metadata":{"name":"www-web-0"},"spec":{"storageClassName":"local","resources":{"requests":{"storage":"1Gi"}}},"status":{"phase":"Pending"}}"#)
        #expect(Array(strings(TableConvertor.cells(for: pending, resource: resource("", "PersistentVolumeClaim"), now: now)).prefix(7))
            == ["www-web-0", "Pending", "", "", "", "local", "<unset>"])
        let bound = json(#"{"metadata":{"name":"www-web-0"},"spec":{"volumeName":"pv-0","volumeMode":"Filesystem"},"status":{"phase":"Bound","capacity":{"storage":"1Gi"},"accessModes":["ReadWriteOnce"]}}"#)
        let cells = strings(TableConvertor.cells(for: bound, resource: resource("", "PersistentVolumeClaim"), now: now))
        #expect(Array(cells.prefix(6)) == ["www-web-0", "Bound", "pv-0", "1Gi", "RWO", ""])
        #expect(cells.last == "Filesystem")
        let sc = json(#"{"metadata":{"name":"local","annotations":{"storageclass.kubernetes.io/is-default-class":"true"}},"provisioner":"kubernetes.io/no-provisioner","volumeBindingMode":"WaitForFirstConsumer"}"#)
        let scCells = TableConvertor.cells(for: sc, resource: resource("storage.k8s.io", "StorageClass"), now: now)
        #expect(Array(strings(scCells).prefix(5)) == ["local (default)", "kubernetes.io/no-provisioner", "Delete", "WaitForFirstConsumer", "false"])
        #expect(scCells[4] == .bool(false))
    }

    @Test func nodesNamespacesEvents() {
        let node = json(#"{"metadata":{"name":"minikube","labels":{"node-role.kubernetes.io/control-plane":""}},"status":{"conditions":[{"type":"Ready","status":"True"}],"addresses":[{"type":"InternalIP","address":"192.168.49.2"}],"nodeInfo":{"kubeletVersion":"v1.33.0","osImage":"Debian GNU/Linux 12 (bookworm)"}}}"#)
        #expect(Array(strings(TableConvertor.cells(for: node, resource: resource("", "Node"), now: now)))
            == ["minikube", "Ready", "control-plane", "<unknown>", "v1.33.0", "192.168.49.2", "<none>", "Debian GNU/Linux 12 (bookworm)", "<unknown>", "<unknown>"])
        let ns = json(#"{"metadata":{"name":"default","creationTimestamp":"2025-12-31T03:04:05Z"},"status":{"phase":"Active"}}"#)
        #expect(strings(TableConvertor.cells(for: ns, resource: resource("", "Namespace"), now: now)) == ["default", "Active", "2d"])
        let event = json(#"{"metadata":{"name":"web-0.17a"},"involvedObject":{"kind":"Pod","name":"web-0","fieldPath":"spec.containers{nginx}"},"reason":"Pulled","type":"Normal","message":"Container image \"nginx\" already present\n","source":{"component":"kubelet","host":"minikube"},"firstTimestamp":"2026-01-02T03:00:00Z","lastTimestamp":"2026-01-02T03:04:00Z","count":2}"#)
        #expect(strings(TableConvertor.cells(for: event, resource: resource("", "Event"), now: now))
            == ["5s", "Normal", "Pulled", "pod/web-0", "spec.containers{nginx}", "kubelet, minikube", "Container image \"nginx\" already present", "4m5s", "2", "web-0.17a"])
    }

    @Test func smallKinds() {
        let revision = json(#"{"metadata":{"name":"web-7b8f","ownerReferences":[{"apiVersion":"apps/v1","kind":"StatefulSet","name":"web","uid":"u","controller":true}]},"revision":2}"#)
        #expect(TableConvertor.cells(for: revision, resource: resource("apps", "ControllerRevision"), now: now).prefix(3) == [.string("web-7b8f"), .string("statefulset.apps/web"), .int(2)])
        let cm = json(#"{"metadata":{"name":"c"},"data":{"a":"1","b":"2"},"binaryData":{"c":"AA=="}}"#)
        #expect(TableConvertor.cells(for: cm, resource: resource("", "ConfigMap"), now: now)[1] == .int(3))
        let secret = json(#"{"metadata":{"name":"s"},"type":"Opaque","data":{"a":"MQ=="}}"#)
        #expect(strings(TableConvertor.cells(for: secret, resource: resource("", "Secret"), now: now)).prefix(3) == ["s", "Opaque", "1"])
        let slice = json(#"{"metadata":{"name":"nginx-abc"},"addressType":"IPv4","ports":[{"port":80},{"name":"metrics"}],"endpoints":[{"addresses":["10.244.0.2"]},{"addresses":["10.244.0.3"]}]}"#)
        #expect(strings(TableConvertor.cells(for: slice, resource: resource("discovery.k8s.io", "EndpointSlice"), now: now)).prefix(4) == ["nginx-abc", "IPv4", "80,metrics", "10.244.0.2,10.244.0.3"])
        let lease = json(#"{"metadata":{"name":"minikube"},"spec":{"holderIdentity":"minikube"}}"#)
        #expect(strings(TableConvertor.cells(for: lease, resource: resource("coordination.k8s.io", "Lease"), now: now)).prefix(2) == ["minikube", "minikube"])
    }

    @Test func tableEnvelope() throws {
        let pod = json(#"{"metadata":{"name":"web-0","namespace":"default","labels":{"app":"nginx"},"creationTimestamp":"2026-01-02T03:00:00Z"},"spec":{"containers":[{"name":"c"}]},"status":{"phase":"Succeeded"}}"#)
        let table = TableConvertor.table(for: [pod], resource: resource("", "Pod"), now: now, resourceVersion: "1013")
        #expect(table["kind"] == .string("Table"))
        #expect(table["apiVersion"] == .string("meta.k8s.io/v1"))
        #expect(table[path: ["metadata", "resourceVersion"]] == .string("1013"))
        let row = try #require(table["rows"]?.arrayValue?.first)
        #expect(row[path: ["object", "kind"]] == .string("PartialObjectMetadata"))
        #expect(row[path: ["object", "metadata", "labels", "app"]] == .string("nginx"))
        #expect(row["cells"]?.arrayValue?.count == 9)
        #expect(row["conditions"]?.arrayValue?.first?["reason"] == .string("Succeeded"))
        #expect(table["columnDefinitions"]?.arrayValue?.first?["format"] == .string("name"))
    }
}
