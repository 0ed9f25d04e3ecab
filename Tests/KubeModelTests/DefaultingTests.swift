import Foundation
import Testing
@testable import KubeModel

@Suite struct DefaultingTests {
    func defaulted(_ yaml: String, _ resource: String) throws -> JSONValue {
        var object = try #require(try ManifestDecoder.documents(from: yaml).first)
        Admission.applyDefaults(to: &object, resource: try #require(ResourceCatalog.resource(named: resource)))
        return object
    }

    @Test func statefulSetOfTheSeed() throws {
        let documents = try ManifestDecoder.documents(from: SeedManifests.web)
        var sts = documents[1]
        Admission.applyDefaults(to: &sts, resource: try #require(ResourceCatalog.resource(named: "sts")))
        let spec = try #require(sts["spec"])
        #expect(spec["replicas"] == .int(3))  // kept
        #expect(spec["podManagementPolicy"] == .string("OrderedReady"))
        #expect(spec["updateStrategy"] == .object(["type": .string("RollingUpdate"), "rollingUpdate": .object(["partition": .int(0)])]))
        #expect(spec["revisionHistoryLimit"] == .int(10))
        #expect(spec["persistentVolumeClaimRetentionPolicy"] == .object(["whenDeleted": .string("Retain"), "whenScaled": .string("Retain")]))
        let podSpec = try #require(spec[path: ["template", "spec"]])
        #expect(podSpec["restartPolicy"] == .string("Always"))
        #expect(podSpec["terminationGracePeriodSeconds"] == .int(10))  // kept
        #expect(podSpec["dnsPolicy"] == .string("ClusterFirst"))
        #expect(podSpec["schedulerName"] == .string("default-scheduler"))
        #expect(podSpec["securityContext"] == .object([:]))
        #expect(podSpec["enableServiceLinks"] == nil)  // only pods get it
        let container = try #require(podSpec["containers"]?.arrayValue?.first)
        #expect(container["imagePullPolicy"] == .string("IfNotPresent"))
        #expect(container["terminationMessagePath"] == .string("/dev/termination-log"))
        #expect(container["terminationMessagePolicy"] == .string("File"))
        #expect(container["ports"]?.arrayValue?.first?["protocol"] == .string("TCP"))
        let claim = try #require(spec["volumeClaimTemplates"]?.arrayValue?.first)
        #expect(claim[path: ["spec", "volumeMode"]] == .string("Filesystem"))
        #expect(claim[path: ["status", "phase"]] == .string("Pending"))
    }

    @Test func replicasDefaultToOne() throws {
        let sts = try defaulted("kind: StatefulSet\nspec:\n  updateStrategy: {type: OnDelete}\n", "statefulsets")
        #expect(sts[path: ["spec", "replicas"]] == .int(1))
        #expect(sts[path: ["spec", "updateStrategy"]] == .object(["type": .string("OnDelete")]))
    }

    @Test func podDefaults() throws {
        let pod = try defaulted("""
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
          - name: a
            image: busybox
            livenessProbe:
              httpGet: {port: 80}
            resources:
              limits: {cpu: 500m, memory: 64Mi}
            env:
            - name: POD
              valueFrom: {fieldRef: {fieldPath: metadata.name}}
          - name: b
            image: nginx:latest
            readinessProbe: {exec: {command: [true]}, periodSeconds: 5}
          - name: c
            image: localhost:5000/x
          - name: d
            image: registry/x@sha256:abc
          volumes:
          - name: scratch
          - name: data
            hostPath: {path: /tmp/x}
          - name: cfg
            configMap: {name: c}
        """, "pods")
        let containers = try #require(pod[path: ["spec", "containers"]]?.arrayValue)
        #expect(containers.map { $0["imagePullPolicy"]?.stringValue } == ["Always", "Always", "Always", "IfNotPresent"])
        #expect(containers[0]["livenessProbe"] == .object([
            "httpGet": .object(["port": .int(80), "path": .string("/"), "scheme": .string("HTTP")]),
            "timeoutSeconds": .int(1), "periodSeconds": .int(10), "successThreshold": .int(1), "failureThreshold": .int(3),
        ]))
        #expect(containers[1][path: ["readinessProbe", "periodSeconds"]] == .int(5))
        #expect(containers[0][path: ["resources", "requests", "cpu"]] == .string("500m"))
        #expect(containers[0]["env"]?.arrayValue?.first?[path: ["valueFrom", "fieldRef", "apiVersion"]] == .string("v1"))
        let volumes = try #require(pod[path: ["spec", "volumes"]]?.arrayValue)
        #expect(volumes[0]["emptyDir"] == .object([:]))
        #expect(volumes[1]["hostPath"] == .object(["path": .string("/tmp/x"), "type": .string("")]))
        #expect(volumes[2][path: ["configMap", "defaultMode"]] == .int(420))
        #expect(pod[path: ["spec", "enableServiceLinks"]] == .bool(true))
        #expect(pod[path: ["spec", "restartPolicy"]] == .string("Always"))
        #expect(pod[path: ["spec", "terminationGracePeriodSeconds"]] == .int(30))
        #expect(pod[path: ["spec", "tolerations"]]?.arrayValue?.count == 2)
        #expect(pod[path: ["status", "phase"]] == .string("Pending"))
        #expect(pod[path: ["status", "qosClass"]] == .string("Burstable"))
    }

    @Test func serviceDefaults() throws {
        let documents = try ManifestDecoder.documents(from: SeedManifests.web)
        var svc = documents[0]
        Admission.applyDefaults(to: &svc, resource: try #require(ResourceCatalog.resource(named: "svc")))
        let spec = try #require(svc["spec"])
        #expect(spec["type"] == .string("ClusterIP"))
        #expect(spec["sessionAffinity"] == .string("None"))
        #expect(spec["ports"] == .array([.object(["port": .int(80), "name": .string("web"), "protocol": .string("TCP"), "targetPort": .int(80)])]))
        #expect(spec["ipFamilyPolicy"] == .string("SingleStack"))
        #expect(spec["ipFamilies"] == .array([.string("IPv4")]))
        #expect(spec["internalTrafficPolicy"] == .string("Cluster"))
        #expect(spec["clusterIPs"] == .array([.string("None")]))
    }

    @Test func storageDefaults() throws {
        let pv = try defaulted("kind: PersistentVolume\nspec:\n  hostPath: {path: /x}\n", "pv")
        #expect(pv[path: ["spec", "persistentVolumeReclaimPolicy"]] == .string("Retain"))
        #expect(pv[path: ["spec", "volumeMode"]] == .string("Filesystem"))
        #expect(pv[path: ["status", "phase"]] == .string("Pending"))
        let pvc = try defaulted("kind: PersistentVolumeClaim\nspec: {}\n", "pvc")
        #expect(pvc[path: ["spec", "volumeMode"]] == .string("Filesystem"))
        let sc = try defaulted("kind: StorageClass\nprovisioner: x\n", "sc")
        #expect(sc["reclaimPolicy"] == .string("Delete"))
        #expect(sc["volumeBindingMode"] == .string("Immediate"))
        let seedClass = try defaulted(SeedManifests.storageClass, "sc")
        #expect(seedClass["volumeBindingMode"] == .string("WaitForFirstConsumer"))
    }

    @Test func namespaceAndSecretDefaults() throws {
        let ns = try defaulted("kind: Namespace\nmetadata: {name: demo}\n", "ns")
        #expect(ns[path: ["spec", "finalizers"]] == .array([.string("kubernetes")]))
        #expect(ns[path: ["status", "phase"]] == .string("Active"))
        #expect(ns[path: ["metadata", "labels", "kubernetes.io/metadata.name"]] == .string("demo"))
        let secret = try defaulted("kind: Secret\nmetadata: {name: s}\n", "secrets")
        #expect(secret["type"] == .string("Opaque"))
    }
}
