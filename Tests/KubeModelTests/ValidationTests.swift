import Foundation
import Testing
@testable import KubeModel

@Suite struct ValidationTests {
    /// Decodes, defaults and validates one object as the API server does on create/update.
    func causes(_ yaml: String, old: String? = nil, resource: String, subresource: String? = nil) throws -> [StatusCause] {
        let api = try #require(ResourceCatalog.resource(named: resource))
        var object = try #require(try ManifestDecoder.documents(from: yaml).first)
        if api.namespaced { object.update("metadata") { $0.setDefault("namespace", "default") } }
        Admission.applyDefaults(to: &object, resource: api)
        var oldObject: JSONValue?
        if let old {
            var o = try #require(try ManifestDecoder.documents(from: old).first)
            if api.namespaced { o.update("metadata") { $0.setDefault("namespace", "default") } }
            Admission.applyDefaults(to: &o, resource: api)
            oldObject = o
        }
        return Admission.validate(object, old: oldObject, resource: api, subresource: subresource)
    }

    func fields(_ causes: [StatusCause]) -> [String] { causes.map(\.field) }

    @Test func seedObjectsAreValid() throws {
        for document in try ManifestDecoder.documents(from: SeedManifests.all) {
            let kind = try #require(document["kind"]?.stringValue)
            let api = try #require(ResourceCatalog.all.first { $0.gvk.kind == kind })
            var object = document
            if api.namespaced { object.update("metadata") { $0.setDefault("namespace", "default") } }
            Admission.applyDefaults(to: &object, resource: api)
            let found = Admission.validate(object, old: nil, resource: api, subresource: nil)
            #expect(found.isEmpty, "\(kind): \(found.map(\.errorString))")
        }
    }

    @Test func names() throws {
        let found = try causes("kind: Pod\nmetadata: {name: Web_0}\nspec: {containers: [{name: a, image: b}]}", resource: "pods")
        #expect(found == [StatusCause(
            reason: "FieldValueInvalid",
            message: #"Invalid value: "Web_0": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"#,
            field: "metadata.name")])
        let ns = try causes("kind: Namespace\nmetadata: {name: a.b}", resource: "namespaces")
        #expect(ns.first?.message == #"Invalid value: "a.b": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"#)
        let svc = try causes("kind: Service\nmetadata: {name: 1web}\nspec: {ports: [{port: 80}]}", resource: "services")
        #expect(svc.first?.message.contains("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character") == true)
        let missing = try causes("kind: ConfigMap\nmetadata: {}\n", resource: "configmaps")
        #expect(missing == [StatusCause(reason: "FieldValueRequired", message: "Required value: name or generateName is required", field: "metadata.name")])
        #expect(try causes("kind: ConfigMap\nmetadata: {generateName: web-}\n", resource: "configmaps").isEmpty)
        let long = String(repeating: "a", count: 254)
        #expect(try causes("kind: ConfigMap\nmetadata: {name: \(long)}\n", resource: "configmaps").first?.message.hasSuffix("must be no more than 253 characters") == true)
    }

    @Test func labels() throws {
        let found = try causes("kind: ConfigMap\nmetadata:\n  name: c\n  labels: {\"-bad\": ok, good: \"-no-\", \"a/b/c\": x}\n", resource: "configmaps")
        #expect(fields(found) == ["metadata.labels", "metadata.labels", "metadata.labels"])
        #expect(found.contains { $0.message.hasPrefix(#"Invalid value: "-bad": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"#) })
        #expect(found.contains { $0.message.hasPrefix(#"Invalid value: "-no-": a valid label must be an empty string or consist of alphanumeric characters"#) })
        #expect(found.contains { $0.message.contains("with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')") })
    }

    @Test func statefulSetRequiredFields() throws {
        let found = try causes("""
        kind: StatefulSet
        metadata: {name: web}
        spec:
          selector: {matchLabels: {app: nginx}}
          template:
            metadata: {labels: {app: other}}
            spec:
              containers:
              - name: nginx
                ports: [{containerPort: 70000}]
                volumeMounts: [{name: www, mountPath: /a}, {name: nope, mountPath: /b}]
          volumeClaimTemplates:
          - metadata: {name: www}
            spec: {resources: {requests: {storage: 1Gx}}}
        """, resource: "statefulsets")
        let byField = Dictionary(found.map { ($0.field, $0.message) }, uniquingKeysWith: { a, _ in a })
        #expect(byField["spec.template.spec.containers[0].image"] == "Required value")
        #expect(byField["spec.template.metadata.labels"] == #"Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`"#)
        #expect(byField["spec.template.spec.containers[0].ports[0].containerPort"] == "Invalid value: 70000: must be between 1 and 65535, inclusive")
        #expect(byField["spec.template.spec.containers[0].volumeMounts[1].name"] == #"Not found: "nope""#)
        #expect(byField["spec.template.spec.containers[0].volumeMounts[0].name"] == nil)
        #expect(byField["spec.volumeClaimTemplates[0].spec.accessModes"] == "Required value: at least 1 access mode is required")
        #expect(byField["spec.volumeClaimTemplates[0].spec.resources[storage]"] == #"Invalid value: "1Gx": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"#)
        let noSelector = try causes("kind: StatefulSet\nmetadata: {name: web}\nspec: {template: {spec: {containers: [{name: a, image: b}]}}}", resource: "sts")
        #expect(noSelector.contains(StatusCause(reason: "FieldValueRequired", message: "Required value", field: "spec.selector")))
        let negative = try causes("kind: StatefulSet\nmetadata: {name: web}\nspec: {replicas: -1, selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {restartPolicy: Never, containers: [{name: a, image: b}]}}}", resource: "sts")
        #expect(negative.contains(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: -1: must be greater than or equal to 0", field: "spec.replicas")))
        #expect(negative.contains(StatusCause(reason: "FieldValueNotSupported", message: #"Unsupported value: "Never": supported values: "Always""#, field: "spec.template.spec.restartPolicy")))
    }

    @Test func statefulSetUpdates() throws {
        let documents = try ManifestDecoder.documents(from: SeedManifests.web)
        let sts = try #require(String(data: try documents[1].jsonData(), encoding: .utf8))
        var scaled = documents[1]
        scaled.update("spec") { $0["replicas"] = .int(5) }
        scaled.update("spec") { spec in spec.update("template") { t in t.update("spec") { s in
            s.updateEach("containers") { $0["image"] = .string("k8s.gcr.io/nginx-slim:0.9") }
        } } }
        #expect(try causes(String(decoding: try scaled.jsonData(), as: UTF8.self), old: sts, resource: "sts").isEmpty)
        var renamed = documents[1]
        renamed.update("spec") { $0["serviceName"] = .string("other") }
        let found = try causes(String(decoding: try renamed.jsonData(), as: UTF8.self), old: sts, resource: "sts")
        #expect(found == [StatusCause(reason: "FieldValueForbidden", message: "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden", field: "spec")])
        var claims = documents[1]
        claims.update("spec") { spec in spec.updateEach("volumeClaimTemplates") { c in c.update("spec") { s in s.update("resources") { r in r.update("requests") { $0["storage"] = .string("2Gi") } } } } }
        #expect(try causes(String(decoding: try claims.jsonData(), as: UTF8.self), old: sts, resource: "sts").map(\.field) == ["spec"])
        var sameSize = documents[1]
        sameSize.update("spec") { spec in spec.updateEach("volumeClaimTemplates") { c in c.update("spec") { s in s.update("resources") { r in r.update("requests") { $0["storage"] = .string("1024Mi") } } } } }
        #expect(try causes(String(decoding: try sameSize.jsonData(), as: UTF8.self), old: sts, resource: "sts").isEmpty)
        var renamedObject = documents[1]
        renamedObject.update("metadata") { $0["name"] = .string("web2") }
        #expect(try causes(String(decoding: try renamedObject.jsonData(), as: UTF8.self), old: sts, resource: "sts")
            == [StatusCause(reason: "FieldValueInvalid", message: #"Invalid value: "web2": field is immutable"#, field: "metadata.name")])
    }

    @Test func statefulSetStatusAndScale() throws {
        let status = try causes("kind: StatefulSet\nmetadata: {name: web}\nstatus: {replicas: 1, readyReplicas: 2}", resource: "sts", subresource: "status")
        #expect(status == [StatusCause(reason: "FieldValueInvalid", message: "Invalid value: 2: cannot be greater than status.replicas", field: "status.readyReplicas")])
        let api = try #require(ResourceCatalog.resource(named: "sts"))
        let scale: JSONValue = .object(["kind": .string("Scale"), "metadata": .object(["name": .string("web"), "namespace": .string("default")]), "spec": .object(["replicas": .int(-2)])])
        #expect(Admission.validate(scale, old: nil, resource: api, subresource: "scale").map(\.field) == ["spec.replicas"])
    }

    @Test func persistentVolumes() throws {
        let found = try causes("kind: PersistentVolume\nmetadata: {name: pv}\nspec: {}", resource: "pv")
        #expect(found.contains(StatusCause(reason: "FieldValueRequired", message: "Required value", field: "spec.accessModes")))
        #expect(found.contains(StatusCause(reason: "FieldValueRequired", message: "Required value", field: "spec.capacity")))
        #expect(found.contains(StatusCause(reason: "FieldValueRequired", message: "Required value: must specify a volume type", field: "spec")))
        let bad = try causes("kind: PersistentVolume\nmetadata: {name: pv}\nspec: {capacity: {storage: -1Gi, cpu: 1}, accessModes: [ReadWriteSometimes], hostPath: {path: /a}, persistentVolumeReclaimPolicy: Keep}", resource: "pv")
        #expect(bad.contains(StatusCause(reason: "FieldValueNotSupported", message: #"Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod""#, field: "spec.accessModes")))
        #expect(bad.contains(StatusCause(reason: "FieldValueNotSupported", message: #"Unsupported value: core.ResourceList{"cpu":1, "storage":"-1Gi"}: supported values: "storage""#, field: "spec.capacity")))
        #expect(bad.contains(StatusCause(reason: "FieldValueInvalid", message: #"Invalid value: "-1Gi": must be greater than zero"#, field: "spec.capacity[storage]")))
        #expect(bad.contains { $0.field == "spec.persistentVolumeReclaimPolicy" && $0.reason == "FieldValueNotSupported" })
        let old = "kind: PersistentVolume\nmetadata: {name: pv}\nspec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /a}}"
        let moved = try causes("kind: PersistentVolume\nmetadata: {name: pv}\nspec: {capacity: {storage: 2Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /b}}", old: old, resource: "pv")
        #expect(moved.map(\.field) == ["spec.persistentvolumesource"])
    }

    @Test func persistentVolumeClaims() throws {
        let found = try causes("kind: PersistentVolumeClaim\nmetadata: {name: c}\nspec: {accessModes: [ReadWriteOnce]}", resource: "pvc")
        #expect(found == [StatusCause(reason: "FieldValueRequired", message: "Required value", field: "spec.resources[storage]")])
        let zero = try causes("kind: PersistentVolumeClaim\nmetadata: {name: c}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 0}}}", resource: "pvc")
        #expect(zero == [StatusCause(reason: "FieldValueInvalid", message: #"Invalid value: "0": must be greater than zero"#, field: "spec.resources[storage]")])
        let old = "kind: PersistentVolumeClaim\nmetadata: {name: c}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}"
        // Binding sets volumeName once.
        #expect(try causes("kind: PersistentVolumeClaim\nmetadata: {name: c}\nspec: {volumeName: pv1, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}", old: old, resource: "pvc").isEmpty)
        let changed = try causes("kind: PersistentVolumeClaim\nmetadata: {name: c}\nspec: {accessModes: [ReadWriteMany], resources: {requests: {storage: 1Gi}}}", old: old, resource: "pvc")
        #expect(changed == [StatusCause(reason: "FieldValueForbidden", message: "Forbidden: spec is immutable after creation except resources.requests for bound claims", field: "spec")])
        let grown = "kind: PersistentVolumeClaim\nmetadata: {name: c}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 2Gi}}}\nstatus: {phase: Bound}"
        let oldBound = old + "\nstatus: {phase: Bound}"
        #expect(try causes(grown, old: oldBound, resource: "pvc").isEmpty)
        let shrunk = "kind: PersistentVolumeClaim\nmetadata: {name: c}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 512Mi}}}\nstatus: {phase: Bound}"
        #expect(try causes(shrunk, old: oldBound, resource: "pvc").map(\.field) == ["spec.resources.requests.storage"])
    }

    @Test func podUpdates() throws {
        let old = "kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: busybox:1}]}"
        #expect(try causes("kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: busybox:2}]}", old: old, resource: "pods").isEmpty)
        let found = try causes("kind: Pod\nmetadata: {name: p}\nspec: {restartPolicy: Never, containers: [{name: a, image: busybox:1}]}", old: old, resource: "pods")
        #expect(found.count == 1)
        #expect(found.first?.field == "spec")
        #expect(found.first?.message.hasPrefix("Forbidden: pod updates may not change fields other than `spec.containers[*].image`") == true)
        #expect(found.first?.message.contains("spec.restartPolicy") == true)
    }

    @Test func podSpecErrors() throws {
        let found = try causes("""
        kind: Pod
        metadata: {name: p}
        spec:
          restartPolicy: Sometimes
          containers:
          - {name: a, image: b, resources: {requests: {cpu: "2"}, limits: {cpu: "1"}}, livenessProbe: {exec: {command: [x]}, successThreshold: 2}}
          - {name: a, image: b, env: [{name: "1X"}], ports: [{containerPort: 80, protocol: tcp}]}
          volumes:
          - {name: v, hostPath: {path: /x}, emptyDir: {}}
        """, resource: "pods")
        let fields = Set(found.map(\.field))
        #expect(fields.isSuperset(of: ["spec.restartPolicy", "spec.containers[1].name", "spec.containers[0].resources.requests[cpu]",
                                        "spec.containers[0].livenessProbe.successThreshold", "spec.containers[1].env[0].name",
                                        "spec.containers[1].ports[0].protocol", "spec.volumes[0].emptyDir"]))
        #expect(found.contains(StatusCause(reason: "FieldValueDuplicate", message: #"Duplicate value: "a""#, field: "spec.containers[1].name")))
        #expect(found.contains(StatusCause(reason: "FieldValueInvalid", message: #"Invalid value: "2": must be less than or equal to cpu limit of 1"#, field: "spec.containers[0].resources.requests[cpu]")))
        #expect(found.contains(StatusCause(reason: "FieldValueForbidden", message: "Forbidden: may not specify more than 1 volume type", field: "spec.volumes[0].emptyDir")))
    }

    @Test func schedulingGates() throws {
        let found = try causes("kind: Pod\nmetadata: {name: p}\nspec: {nodeName: n1, schedulingGates: [{name: a}, {name: a}], containers: [{name: c, image: i}]}", resource: "pods")
        #expect(found == [
            StatusCause(reason: "FieldValueForbidden", message: "Forbidden: cannot be set until all schedulingGates have been cleared", field: "spec.nodeName"),
            StatusCause(reason: "FieldValueDuplicate", message: #"Duplicate value: "a""#, field: "spec.schedulingGates[1]"),
        ])
    }

    @Test func environment() throws {
        let found = try causes("""
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
          - name: a
            image: b
            env:
            - {name: A, value: x, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
            - {name: B, valueFrom: {fieldRef: {fieldPath: spec.hostname}}}
            - {name: C, valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}}
            - {name: D, valueFrom: {}}
            - {name: E, valueFrom: {resourceFieldRef: {resource: limits.gpu}}}
        """, resource: "pods")
        #expect(found.map(\.field) == [
            "spec.containers[0].env[0].valueFrom", "spec.containers[0].env[1].valueFrom.fieldRef.fieldPath",
            "spec.containers[0].env[3].valueFrom", "spec.containers[0].env[4].valueFrom.resourceFieldRef.resource",
        ])
        #expect(found.first?.message == "Invalid value: \"\": may not be specified when `value` is not empty")
    }

    @Test func services() throws {
        #expect(try causes("kind: Service\nmetadata: {name: s}\nspec: {}", resource: "svc") == [StatusCause(reason: "FieldValueRequired", message: "Required value", field: "spec.ports")])
        #expect(try causes("kind: Service\nmetadata: {name: s}\nspec: {clusterIP: None}", resource: "svc").isEmpty)
        let two = try causes("kind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80, name: a}, {port: 81}], clusterIP: 10.0.0.300}", resource: "svc")
        #expect(two.contains(StatusCause(reason: "FieldValueRequired", message: "Required value", field: "spec.ports[1].name")))
        #expect(two.contains { $0.field == "spec.clusterIPs[0]" && $0.message.hasSuffix("must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)") })
        let old = "kind: Service\nmetadata: {name: s}\nspec: {clusterIP: 10.96.0.5, ports: [{port: 80}]}"
        #expect(try causes("kind: Service\nmetadata: {name: s}\nspec: {clusterIP: 10.96.0.6, ports: [{port: 80}]}", old: old, resource: "svc").map(\.field) == ["spec.clusterIPs[0]"])
    }

    @Test func storageClassesAndOthers() throws {
        #expect(try causes("kind: StorageClass\nmetadata: {name: s}\nvolumeBindingMode: Later", resource: "sc").map(\.field).sorted() == ["provisioner", "volumeBindingMode"])
        let old = SeedManifests.storageClass
        #expect(try causes(old.replacingOccurrences(of: "reclaimPolicy: Delete", with: "reclaimPolicy: Retain"), old: old, resource: "sc")
            == [StatusCause(reason: "FieldValueForbidden", message: "Forbidden: updates to reclaimPolicy are forbidden.", field: "reclaimPolicy")])
        #expect(try causes("kind: ConfigMap\nmetadata: {name: c}\ndata: {\"bad key\": x}", resource: "cm").map(\.field) == ["data[bad key]"])
        let immutableOld = "kind: ConfigMap\nmetadata: {name: c}\nimmutable: true\ndata: {a: x}"
        #expect(try causes("kind: ConfigMap\nmetadata: {name: c}\nimmutable: true\ndata: {a: y}", old: immutableOld, resource: "cm").map(\.field) == ["data"])
        #expect(try causes("kind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/tls\ndata: {tls.crt: eA==}", resource: "secrets").map(\.field) == ["data[tls.key]"])
        #expect(try causes("kind: Secret\nmetadata: {name: s}\ndata: {a: \"!!\"}", resource: "secrets").map(\.field) == ["data[a]"])
        #expect(try causes("kind: Event\nmetadata: {name: e}\ninvolvedObject: {namespace: other, name: p}", resource: "events").map(\.field) == ["involvedObject.namespace"])
        #expect(try causes("kind: Lease\nmetadata: {name: l}\nspec: {leaseDurationSeconds: 0}", resource: "leases").map(\.field) == ["spec.leaseDurationSeconds"])
        #expect(try causes("kind: Node\nmetadata: {name: n, namespace: x}\nstatus: {capacity: {cpu: lots}}", resource: "nodes").map(\.field) == ["metadata.namespace", "status.capacity[cpu]", "status.allocatable[cpu]"])
        #expect(try causes("kind: EndpointSlice\nmetadata: {name: e}\naddressType: IPv4\nendpoints: [{addresses: [\"::1\"]}]", resource: "endpointslices").map(\.field) == ["endpoints[0].addresses[0]"])
    }

    @Test func invalidStatusMessage() throws {
        let api = try #require(ResourceCatalog.resource(named: "sts"))
        let one = [StatusCause(reason: "FieldValueRequired", message: "Required value", field: "spec.selector")]
        #expect(Admission.invalidMessage(resource: api, name: "web", causes: one) == #"StatefulSet.apps "web" is invalid: spec.selector: Required value"#)
        let two = one + [StatusCause(reason: "FieldValueInvalid", message: "Invalid value: -1: must be greater than or equal to 0", field: "spec.replicas")]
        #expect(Admission.invalidMessage(resource: try #require(ResourceCatalog.resource(named: "pods")), name: "p", causes: two)
            == #"Pod "p" is invalid: [spec.selector: Required value, spec.replicas: Invalid value: -1: must be greater than or equal to 0]"#)
    }
}
