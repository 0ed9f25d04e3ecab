import Testing
@testable import KubeModel

/// Rich objects, as a real cluster returns them, survive a typed decode/encode unchanged: the
/// typed structs name every field the way Kubernetes does.
@Suite struct TypedRoundTripTests {
    func roundTrip<T: KubernetesObject>(_ type: T.Type, _ yaml: String) throws {
        let document = try #require(try ManifestDecoder.documents(from: yaml).first)
        let typed = try T(json: document)
        #expect(try typed.jsonValue() == document)
    }

    /// Typed structs know only Kubernetes' fields: anything else is kept by the JSON form alone.
    @Test func typedFormDropsUnknownFields() throws {
        let document = try #require(try ManifestDecoder.documents(from: "kind: Pod\nmetadata: {name: p}\nspec: {notAField: 1, containers: []}\n").first)
        let encoded = try Pod(json: document).jsonValue()
        #expect(encoded != document)
        #expect(encoded[path: ["spec", "notAField"]] == nil)
    }

    @Test func pod() throws {
        try roundTrip(Pod.self, """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web-0
          generateName: web-
          namespace: default
          uid: 9c1f
          resourceVersion: "1013"
          generation: 1
          creationTimestamp: "2026-11-30T00:00:00Z"
          labels: {app: nginx, statefulset.kubernetes.io/pod-name: web-0}
          annotations: {a: b}
          ownerReferences:
          - {apiVersion: apps/v1, kind: StatefulSet, name: web, uid: u1, controller: true, blockOwnerDeletion: true}
          finalizers: [x/y]
          managedFields: [{manager: kubectl, operation: Update}]
        spec:
          hostname: web-0
          subdomain: nginx
          nodeName: node1
          restartPolicy: Always
          terminationGracePeriodSeconds: 10
          activeDeadlineSeconds: 100
          dnsPolicy: ClusterFirst
          dnsConfig: {nameservers: [1.1.1.1], searches: [a], options: [{name: ndots, value: "5"}]}
          nodeSelector: {disk: ssd}
          serviceAccountName: default
          serviceAccount: default
          automountServiceAccountToken: false
          hostNetwork: false
          hostPID: false
          hostIPC: false
          shareProcessNamespace: false
          schedulerName: default-scheduler
          priority: 0
          priorityClassName: low
          preemptionPolicy: PreemptLowerPriority
          enableServiceLinks: true
          setHostnameAsFQDN: false
          hostUsers: true
          os: {name: linux}
          runtimeClassName: r
          overhead: {cpu: 10m}
          readinessGates: [{conditionType: x}]
          schedulingGates: [{name: g}]
          hostAliases: [{ip: 127.0.0.1, hostnames: [a]}]
          imagePullSecrets: [{name: s}]
          affinity: {nodeAffinity: {}}
          topologySpreadConstraints: [{maxSkew: 1}]
          tolerations:
          - {key: k, operator: Equal, value: v, effect: NoExecute, tolerationSeconds: 300}
          securityContext:
            runAsUser: 1000
            runAsGroup: 1000
            runAsNonRoot: true
            fsGroup: 2000
            fsGroupChangePolicy: OnRootMismatch
            supplementalGroups: [3]
            sysctls: [{name: net.core.somaxconn, value: "1024"}]
            seccompProfile: {type: RuntimeDefault}
          volumes:
          - {name: www, persistentVolumeClaim: {claimName: www-web-0, readOnly: false}}
          - {name: scratch, emptyDir: {medium: Memory, sizeLimit: 64Mi}}
          - {name: host, hostPath: {path: /tmp, type: Directory}}
          - {name: cfg, configMap: {name: c, defaultMode: 420, optional: true, items: [{key: a, path: b, mode: 256}]}}
          - {name: sec, secret: {secretName: s, defaultMode: 420}}
          - {name: api, projected: {sources: []}}
          - {name: dapi, downwardAPI: {items: []}}
          - {name: n, nfs: {server: s, path: /e, readOnly: true}}
          initContainers:
          - {name: init, image: busybox, command: [sh, -c, "true"]}
          containers:
          - name: nginx
            image: k8s.gcr.io/nginx-slim:0.8
            imagePullPolicy: IfNotPresent
            command: [nginx]
            args: [-g, daemon off;]
            workingDir: /
            ports: [{name: web, containerPort: 80, protocol: TCP, hostPort: 8080, hostIP: 127.0.0.1}]
            env:
            - {name: A, value: b}
            - name: POD
              valueFrom: {fieldRef: {apiVersion: v1, fieldPath: metadata.name}}
            - name: CPU
              valueFrom: {resourceFieldRef: {containerName: nginx, resource: limits.cpu, divisor: 1m}}
            - name: C
              valueFrom: {configMapKeyRef: {name: c, key: k, optional: true}}
            - name: S
              valueFrom: {secretKeyRef: {name: s, key: k}}
            envFrom: [{prefix: P_, configMapRef: {name: c}}, {secretRef: {name: s, optional: false}}]
            resources: {limits: {cpu: "1", memory: 128Mi}, requests: {cpu: 500m, memory: 64Mi}}
            volumeMounts: [{name: www, mountPath: /usr/share/nginx/html, readOnly: false, subPath: x, mountPropagation: None}]
            volumeDevices: [{name: blk, devicePath: /dev/xvda}]
            livenessProbe: {httpGet: {path: /, port: 80, scheme: HTTP, httpHeaders: [{name: h, value: v}]}, initialDelaySeconds: 1, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3}
            readinessProbe: {tcpSocket: {port: web}, periodSeconds: 5}
            startupProbe: {exec: {command: ["true"]}, terminationGracePeriodSeconds: 5}
            lifecycle: {postStart: {exec: {command: ["true"]}}, preStop: {sleep: {seconds: 1}}}
            terminationMessagePath: /dev/termination-log
            terminationMessagePolicy: File
            securityContext: {privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsUser: 0, capabilities: {add: [NET_ADMIN], drop: [ALL]}, procMount: Default}
            stdin: false
            stdinOnce: false
            tty: false
        status:
          phase: Running
          conditions: [{type: Ready, status: "True", lastProbeTime: null, lastTransitionTime: "2026-11-30T00:00:01Z"}]
          hostIP: 10.0.0.1
          hostIPs: [{ip: 10.0.0.1}]
          podIP: 10.244.0.10
          podIPs: [{ip: 10.244.0.10}]
          startTime: "2026-11-30T00:00:00Z"
          qosClass: Burstable
          containerStatuses:
          - name: nginx
            ready: true
            started: true
            restartCount: 0
            image: k8s.gcr.io/nginx-slim:0.8
            imageID: sha256:abc
            containerID: minikube-swift://1
            state: {running: {startedAt: "2026-11-30T00:00:01Z"}}
            lastState: {terminated: {exitCode: 137, signal: 9, reason: OOMKilled, message: m, startedAt: "2026-11-30T00:00:00Z", finishedAt: "2026-11-30T00:00:01Z", containerID: minikube-swift://0}}
          initContainerStatuses:
          - {name: init, ready: true, restartCount: 0, image: busybox, imageID: "", state: {waiting: {reason: PodInitializing, message: x}}}
        """.replacingOccurrences(of: "lastProbeTime: null, ", with: ""))
    }

    @Test func statefulSetServiceAndStorage() throws {
        try roundTrip(StatefulSet.self, """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: web, namespace: default, generation: 2}
        spec:
          replicas: 3
          serviceName: nginx
          podManagementPolicy: Parallel
          revisionHistoryLimit: 10
          minReadySeconds: 5
          ordinals: {start: 1}
          persistentVolumeClaimRetentionPolicy: {whenDeleted: Delete, whenScaled: Retain}
          updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 1, maxUnavailable: 50%}}
          selector: {matchLabels: {app: nginx}, matchExpressions: [{key: tier, operator: In, values: [web]}]}
          template:
            metadata: {labels: {app: nginx}}
            spec: {containers: [{name: nginx, image: nginx}]}
          volumeClaimTemplates:
          - apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: www}
            spec: {accessModes: [ReadWriteOnce], storageClassName: local-class, volumeMode: Filesystem, resources: {requests: {storage: 1Gi}}}
            status: {phase: Pending}
        status:
          observedGeneration: 2
          replicas: 3
          readyReplicas: 3
          currentReplicas: 3
          updatedReplicas: 3
          availableReplicas: 3
          currentRevision: web-5b7f
          updateRevision: web-5b7f
          collisionCount: 0
          conditions: [{type: X, status: "False", lastTransitionTime: "2026-11-30T00:00:00Z", reason: r, message: m}]
        """)
        try roundTrip(Service.self, """
        apiVersion: v1
        kind: Service
        metadata: {name: nginx, namespace: default}
        spec:
          type: ClusterIP
          clusterIP: None
          clusterIPs: [None]
          ipFamilies: [IPv4]
          ipFamilyPolicy: SingleStack
          internalTrafficPolicy: Cluster
          sessionAffinity: None
          publishNotReadyAddresses: true
          selector: {app: nginx}
          ports: [{name: web, port: 80, targetPort: 80, protocol: TCP, appProtocol: http}]
        status: {loadBalancer: {}}
        """)
        try roundTrip(PersistentVolume.self, """
        apiVersion: v1
        kind: PersistentVolume
        metadata: {name: datadir1, labels: {type: local}}
        spec:
          capacity: {storage: 5Gi}
          accessModes: [ReadWriteOnce]
          persistentVolumeReclaimPolicy: Retain
          storageClassName: local-class
          volumeMode: Filesystem
          mountOptions: [ro]
          hostPath: {path: /mnt/data1, type: ""}
          claimRef: {kind: PersistentVolumeClaim, namespace: default, name: www-web-0, uid: u, apiVersion: v1, resourceVersion: "5"}
          nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [node1]}]}]}}
        status: {phase: Bound, lastPhaseTransitionTime: "2026-11-30T00:00:00Z"}
        """)
        try roundTrip(PersistentVolumeClaim.self, """
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: www-web-0, namespace: default, annotations: {pv.kubernetes.io/bind-completed: "yes"}}
        spec: {accessModes: [ReadWriteOnce], volumeName: datadir1, storageClassName: local-class, volumeMode: Filesystem, resources: {requests: {storage: 1Gi}}}
        status: {phase: Bound, accessModes: [ReadWriteOnce], capacity: {storage: 5Gi}}
        """)
        try roundTrip(StorageClass.self, SeedManifests.storageClass)
    }

    @Test func otherKinds() throws {
        try roundTrip(Node.self, """
        apiVersion: v1
        kind: Node
        metadata: {name: node1}
        spec: {podCIDR: 10.244.0.0/24, podCIDRs: [10.244.0.0/24], taints: [{key: k, effect: NoSchedule}]}
        status:
          capacity: {cpu: "2", memory: 4Gi, pods: "110"}
          allocatable: {cpu: "2", memory: 4Gi, pods: "110"}
          conditions: [{type: Ready, status: "True", lastHeartbeatTime: "2026-11-30T00:00:00Z", lastTransitionTime: "2026-11-30T00:00:00Z", reason: KubeletReady, message: ok}]
          addresses: [{type: InternalIP, address: 10.0.0.1}, {type: Hostname, address: node1}]
          daemonEndpoints: {kubeletEndpoint: {Port: 10250}}
          nodeInfo: {machineID: m, systemUUID: s, bootID: b, kernelVersion: k, osImage: o, containerRuntimeVersion: c, kubeletVersion: v1.33.0, kubeProxyVersion: "", operatingSystem: linux, architecture: amd64}
          images: [{names: [busybox], sizeBytes: 2000000}]
        """)
        try roundTrip(Event.self, """
        apiVersion: v1
        kind: Event
        metadata: {name: web-0.1, namespace: default}
        involvedObject: {kind: Pod, namespace: default, name: web-0, uid: u, apiVersion: v1, resourceVersion: "1", fieldPath: "spec.containers{nginx}"}
        reason: Pulled
        message: Container image already present
        source: {component: kubelet, host: node1}
        firstTimestamp: "2026-11-30T00:00:00Z"
        lastTimestamp: "2026-11-30T00:00:00Z"
        count: 1
        type: Normal
        eventTime: null
        reportingComponent: kubelet
        reportingInstance: node1
        """.replacingOccurrences(of: "eventTime: null\n", with: ""))
        try roundTrip(EndpointSlice.self, """
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: nginx-abc, namespace: default, labels: {kubernetes.io/service-name: nginx}}
        addressType: IPv4
        endpoints: [{addresses: [10.244.0.10], conditions: {ready: true, serving: true, terminating: false}, hostname: web-0, nodeName: node1, targetRef: {kind: Pod, name: web-0, namespace: default, uid: u}}]
        ports: [{name: web, port: 80, protocol: TCP}]
        """)
        try roundTrip(Endpoints.self, """
        apiVersion: v1
        kind: Endpoints
        metadata: {name: nginx, namespace: default}
        subsets: [{addresses: [{ip: 10.244.0.10, hostname: web-0, nodeName: node1, targetRef: {kind: Pod, name: web-0}}], notReadyAddresses: [{ip: 10.244.0.11}], ports: [{name: web, port: 80, protocol: TCP}]}]
        """)
        try roundTrip(Lease.self, """
        apiVersion: coordination.k8s.io/v1
        kind: Lease
        metadata: {name: node1, namespace: kube-node-lease}
        spec: {holderIdentity: node1, leaseDurationSeconds: 40, renewTime: "2026-11-30T00:00:00.000000Z", acquireTime: "2026-11-30T00:00:00.000000Z", leaseTransitions: 0}
        """)
        try roundTrip(ControllerRevision.self, """
        apiVersion: apps/v1
        kind: ControllerRevision
        metadata: {name: web-5b7f, namespace: default}
        data: {spec: {template: {$patch: replace}}}
        revision: 1
        """)
        try roundTrip(Scale.self, "apiVersion: autoscaling/v1\nkind: Scale\nmetadata: {name: web}\nspec: {replicas: 5}\nstatus: {replicas: 3, selector: app=nginx}\n")
        try roundTrip(Secret.self, "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: Opaque\nimmutable: false\ndata: {a: eA==}\nstringData: {b: c}\n")
        try roundTrip(ConfigMap.self, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\nbinaryData: {c: eA==}\n")
        try roundTrip(Namespace.self, "apiVersion: v1\nkind: Namespace\nmetadata: {name: demo}\nspec: {finalizers: [kubernetes]}\nstatus: {phase: Active}\n")
    }
}
