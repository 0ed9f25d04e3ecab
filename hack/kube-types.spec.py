# Typed Kubernetes API structs (see gen-kube-types.py). `Type!` = required, else optional.

# ---- meta/v1
f("ObjectMeta.swift", "ObjectMeta", "Metadata every persisted object has (`metav1.ObjectMeta`). Times are RFC 3339 strings.", """
name String
generateName String
namespace String
selfLink String
uid String
resourceVersion String
generation Int64
creationTimestamp String
deletionTimestamp String
deletionGracePeriodSeconds Int64
labels [String: String]
annotations [String: String]
ownerReferences [OwnerReference]
finalizers [String]
managedFields [JSONValue]
""")
f("ObjectMeta.swift", "OwnerReference", "A reference to an owning object, for garbage collection (`metav1.OwnerReference`).", """
apiVersion String!
kind String!
name String!
uid String!
controller Bool
blockOwnerDeletion Bool
""")
f("ListMeta.swift", "ListMeta", "Metadata of a list (`metav1.ListMeta`).", """
selfLink String
resourceVersion String
continue String
remainingItemCount Int64
""")
f("Status.swift", "Status", "The result of a call that returns no object, errors included (`metav1.Status`).", """
kind String
apiVersion String
metadata ListMeta
status String // `Success` or `Failure`.
message String
reason String // `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, …
details StatusDetails
code Int32
""")
f("Status.swift", "StatusDetails", "Details of a Status (`metav1.StatusDetails`).", """
name String
group String
kind String
uid String
causes [StatusCause]
retryAfterSeconds Int32
""")
f("WatchEvent.swift", "WatchEvent", "One event of a watch stream: `ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK` or `ERROR`.", """
type String!
object JSONValue!
""")
f("Condition.swift", "Condition", "A standard condition (`metav1.Condition`).", """
type String!
status String!
observedGeneration Int64
lastTransitionTime String!
reason String!
message String!
""")
f("Condition.swift", "ObjectCondition", "The condition shape of core and apps objects (`PodCondition`, `NodeCondition`, `PersistentVolumeClaimCondition`, `StatefulSetCondition`, …).", """
type String!
status String!
observedGeneration Int64
lastProbeTime String
lastHeartbeatTime String
lastUpdateTime String
lastTransitionTime String
reason String
message String
""")
f("DeleteOptions.swift", "DeleteOptions", "Options of a delete (`metav1.DeleteOptions`).", """
kind String
apiVersion String
gracePeriodSeconds Int64
preconditions Preconditions
orphanDependents Bool
propagationPolicy String // `Orphan`, `Background` or `Foreground`.
dryRun [String]
""")
f("DeleteOptions.swift", "Preconditions", "What must hold for a delete to proceed.", """
uid String
resourceVersion String
""")

# ---- core/v1 references and small shared types
f("ObjectReference.swift", "ObjectReference", "A reference to an object (`corev1.ObjectReference`).", """
kind String
namespace String
name String
uid String
apiVersion String
resourceVersion String
fieldPath String
""")
f("ObjectReference.swift", "LocalObjectReference", "A reference to an object in the same namespace, by name.", """
name String
""")
f("ObjectReference.swift", "TypedLocalObjectReference", "A typed reference in the same namespace.", """
apiGroup String
kind String!
name String!
""")

# ---- Namespace
f("Namespace.swift", "Namespace", "A namespace (`v1/Namespace`).", """
spec NamespaceSpec
status NamespaceStatus
""", gvk=("", "v1", "Namespace"))
f("Namespace.swift", "NamespaceSpec", "The finalizers that must finish before a namespace goes.", """
finalizers [String]
""")
f("Namespace.swift", "NamespaceStatus", "`Active` or `Terminating`.", """
phase String
conditions [ObjectCondition]
""")

# ---- Node
f("Node.swift", "Node", "A node of the cluster (`v1/Node`).", """
spec NodeSpec
status NodeStatus
""", gvk=("", "v1", "Node"))
f("Node.swift", "NodeSpec", "How a node is configured.", """
podCIDR String
podCIDRs [String]
providerID String
unschedulable Bool
taints [Taint]
""")
f("Node.swift", "Taint", "A taint that repels pods which do not tolerate it.", """
key String!
value String
effect String!
timeAdded String
""")
f("Node.swift", "NodeStatus", "What a node reports about itself.", """
capacity [String: Quantity]
allocatable [String: Quantity]
phase String
conditions [ObjectCondition]
addresses [NodeAddress]
daemonEndpoints NodeDaemonEndpoints
nodeInfo NodeSystemInfo
images [ContainerImage]
volumesInUse [String]
volumesAttached [JSONValue]
config JSONValue
runtimeHandlers [JSONValue]
features JSONValue
""")
f("Node.swift", "NodeAddress", "`InternalIP`, `Hostname`, ….", """
type String!
address String!
""")
f("Node.swift", "NodeDaemonEndpoints", "Ports of daemons on the node.", """
kubeletEndpoint DaemonEndpoint
""")
f("Node.swift", "DaemonEndpoint", "A daemon's port.", """
Port Int32!
""")
f("Node.swift", "NodeSystemInfo", "Versions and identifiers of a node.", """
machineID String!
systemUUID String!
bootID String!
kernelVersion String!
osImage String!
containerRuntimeVersion String!
kubeletVersion String!
kubeProxyVersion String!
operatingSystem String!
architecture String!
""")
f("Node.swift", "ContainerImage", "An image present on a node.", """
names [String]
sizeBytes Int64
""")

# ---- Pod
f("Pod.swift", "Pod", "A pod (`v1/Pod`).", """
spec PodSpec
status PodStatus
""", gvk=("", "v1", "Pod"))
f("Pod.swift", "Binding", "Binds a pod to a node (`pods/binding`).", """
target ObjectReference!
""", gvk=("", "v1", "Binding"))
f("Pod.swift", "PodTemplateSpec", "The pod a controller creates.", """
metadata ObjectMeta
spec PodSpec
""")
f("PodSpec.swift", "PodSpec", "What a pod runs (`corev1.PodSpec`).", """
volumes [Volume]
initContainers [Container]
containers [Container]!
ephemeralContainers [JSONValue]
restartPolicy String // `Always`, `OnFailure` or `Never`.
terminationGracePeriodSeconds Int64
activeDeadlineSeconds Int64
dnsPolicy String
nodeSelector [String: String]
serviceAccountName String
serviceAccount String
automountServiceAccountToken Bool
nodeName String
hostNetwork Bool
hostPID Bool
hostIPC Bool
shareProcessNamespace Bool
securityContext PodSecurityContext
imagePullSecrets [LocalObjectReference]
hostname String
subdomain String
affinity JSONValue
schedulerName String
tolerations [Toleration]
hostAliases [HostAlias]
priorityClassName String
priority Int32
dnsConfig PodDNSConfig
readinessGates [PodReadinessGate]
runtimeClassName String
enableServiceLinks Bool
preemptionPolicy String
overhead [String: Quantity]
topologySpreadConstraints [JSONValue]
setHostnameAsFQDN Bool
os PodOS
hostUsers Bool
schedulingGates [PodSchedulingGate]
resourceClaims [JSONValue]
resources ResourceRequirements
""")
f("PodSpec.swift", "Toleration", "Lets a pod schedule onto a node with a matching taint.", """
key String
operator String
value String
effect String
tolerationSeconds Int64
""")
f("PodSpec.swift", "HostAlias", "An /etc/hosts entry.", """
ip String!
hostnames [String]
""")
f("PodSpec.swift", "PodDNSConfig", "DNS settings beyond dnsPolicy.", """
nameservers [String]
searches [String]
options [PodDNSConfigOption]
""")
f("PodSpec.swift", "PodDNSConfigOption", "A resolver option.", """
name String
value String
""")
f("PodSpec.swift", "PodReadinessGate", "An extra condition for readiness.", """
conditionType String!
""")
f("PodSpec.swift", "PodSchedulingGate", "A gate that holds scheduling.", """
name String!
""")
f("PodSpec.swift", "PodOS", "The OS a pod needs.", """
name String!
""")
f("PodSpec.swift", "PodSecurityContext", "Pod-level security settings.", """
seLinuxOptions JSONValue
windowsOptions JSONValue
runAsUser Int64
runAsGroup Int64
runAsNonRoot Bool
supplementalGroups [Int64]
supplementalGroupsPolicy String
fsGroup Int64
sysctls [Sysctl]
fsGroupChangePolicy String
seccompProfile SeccompProfile
appArmorProfile JSONValue
seLinuxChangePolicy String
""")
f("PodSpec.swift", "Sysctl", "A namespaced kernel parameter.", """
name String!
value String!
""")
f("PodSpec.swift", "SeccompProfile", "`RuntimeDefault`, `Unconfined` or `Localhost`.", """
type String!
localhostProfile String
""")

f("Container.swift", "Container", "One container of a pod (`corev1.Container`).", """
name String!
image String
command [String]
args [String]
workingDir String
ports [ContainerPort]
envFrom [EnvFromSource]
env [EnvVar]
resources ResourceRequirements
resizePolicy [JSONValue]
restartPolicy String
volumeMounts [VolumeMount]
volumeDevices [VolumeDevice]
livenessProbe Probe
readinessProbe Probe
startupProbe Probe
lifecycle Lifecycle
terminationMessagePath String
terminationMessagePolicy String
imagePullPolicy String
securityContext SecurityContext
stdin Bool
stdinOnce Bool
tty Bool
""")
f("Container.swift", "ContainerPort", "A port a container listens on.", """
name String
hostPort Int32
containerPort Int32!
protocol String
hostIP String
""")
f("Container.swift", "EnvVar", "An environment variable, by value or from a source.", """
name String!
value String
valueFrom EnvVarSource
""")
f("Container.swift", "EnvVarSource", "Where an environment variable's value comes from.", """
fieldRef ObjectFieldSelector
resourceFieldRef ResourceFieldSelector
configMapKeyRef ConfigMapKeySelector
secretKeyRef SecretKeySelector
""")
f("Container.swift", "ObjectFieldSelector", "A field of the pod (`metadata.name`, `status.podIP`, …).", """
apiVersion String
fieldPath String!
""")
f("Container.swift", "ResourceFieldSelector", "A container resource (`limits.cpu`, …).", """
containerName String
resource String!
divisor Quantity
""")
f("Container.swift", "ConfigMapKeySelector", "A key of a ConfigMap.", """
name String
key String!
optional Bool
""")
f("Container.swift", "SecretKeySelector", "A key of a Secret.", """
name String
key String!
optional Bool
""")
f("Container.swift", "EnvFromSource", "All keys of a ConfigMap or Secret as variables.", """
prefix String
configMapRef ConfigMapEnvSource
secretRef SecretEnvSource
""")
f("Container.swift", "ConfigMapEnvSource", "A ConfigMap whose keys become variables.", """
name String
optional Bool
""")
f("Container.swift", "SecretEnvSource", "A Secret whose keys become variables.", """
name String
optional Bool
""")
f("Container.swift", "ResourceRequirements", "Requests and limits (`cpu`, `memory`, …).", """
limits [String: Quantity]
requests [String: Quantity]
claims [JSONValue]
""")
f("Container.swift", "VolumeMount", "Where a volume appears in a container.", """
name String!
readOnly Bool
recursiveReadOnly String
mountPath String!
subPath String
mountPropagation String
subPathExpr String
""")
f("Container.swift", "VolumeDevice", "A raw block device in a container.", """
name String!
devicePath String!
""")
f("Container.swift", "Probe", "A liveness, readiness or startup check.", """
exec ExecAction
httpGet HTTPGetAction
tcpSocket TCPSocketAction
grpc GRPCAction
initialDelaySeconds Int32
timeoutSeconds Int32
periodSeconds Int32
successThreshold Int32
failureThreshold Int32
terminationGracePeriodSeconds Int64
""")
f("Container.swift", "ExecAction", "A command run in the container.", """
command [String]
""")
f("Container.swift", "HTTPGetAction", "An HTTP GET against the pod.", """
path String
port IntOrString!
host String
scheme String
httpHeaders [HTTPHeader]
""")
f("Container.swift", "HTTPHeader", "A header of a probe request.", """
name String!
value String!
""")
f("Container.swift", "TCPSocketAction", "A TCP connect to the pod.", """
port IntOrString!
host String
""")
f("Container.swift", "GRPCAction", "A gRPC health check.", """
port Int32!
service String
""")
f("Container.swift", "Lifecycle", "Hooks run after start and before stop.", """
postStart LifecycleHandler
preStop LifecycleHandler
stopSignal String
""")
f("Container.swift", "LifecycleHandler", "One lifecycle hook.", """
exec ExecAction
httpGet HTTPGetAction
tcpSocket TCPSocketAction
sleep SleepAction
""")
f("Container.swift", "SleepAction", "Sleep for a while.", """
seconds Int64!
""")
f("Container.swift", "SecurityContext", "Container-level security settings.", """
capabilities Capabilities
privileged Bool
seLinuxOptions JSONValue
windowsOptions JSONValue
runAsUser Int64
runAsGroup Int64
runAsNonRoot Bool
readOnlyRootFilesystem Bool
allowPrivilegeEscalation Bool
procMount String
seccompProfile SeccompProfile
appArmorProfile JSONValue
""")
f("Container.swift", "Capabilities", "Capabilities added to or dropped from the default set.", """
add [String]
drop [String]
""")

f("Volume.swift", "Volume", "A volume of a pod; one source is set (`corev1.Volume`).", """
name String!
hostPath HostPathVolumeSource
emptyDir EmptyDirVolumeSource
secret SecretVolumeSource
configMap ConfigMapVolumeSource
persistentVolumeClaim PersistentVolumeClaimVolumeSource
downwardAPI JSONValue
projected JSONValue
nfs NFSVolumeSource
csi JSONValue
ephemeral JSONValue
image JSONValue
gcePersistentDisk JSONValue
awsElasticBlockStore JSONValue
gitRepo JSONValue
iscsi JSONValue
glusterfs JSONValue
rbd JSONValue
flexVolume JSONValue
cinder JSONValue
cephfs JSONValue
flocker JSONValue
fc JSONValue
azureFile JSONValue
vsphereVolume JSONValue
quobyte JSONValue
azureDisk JSONValue
photonPersistentDisk JSONValue
portworxVolume JSONValue
scaleIO JSONValue
storageos JSONValue
""")
f("Volume.swift", "HostPathVolumeSource", "A directory or file of the host.", """
path String!
type String
""")
f("Volume.swift", "EmptyDirVolumeSource", "A scratch directory that lives as long as the pod.", """
medium String
sizeLimit Quantity
""")
f("Volume.swift", "SecretVolumeSource", "A Secret's keys as files.", """
secretName String
items [KeyToPath]
defaultMode Int32
optional Bool
""")
f("Volume.swift", "ConfigMapVolumeSource", "A ConfigMap's keys as files.", """
name String
items [KeyToPath]
defaultMode Int32
optional Bool
""")
f("Volume.swift", "KeyToPath", "One key projected to a path.", """
key String!
path String!
mode Int32
""")
f("Volume.swift", "PersistentVolumeClaimVolumeSource", "A claim used as a volume.", """
claimName String!
readOnly Bool
""")
f("Volume.swift", "NFSVolumeSource", "An NFS export.", """
server String!
path String!
readOnly Bool
""")
f("Volume.swift", "LocalVolumeSource", "A local disk of a node (PersistentVolume only).", """
path String!
fsType String
""")

f("PodStatus.swift", "PodStatus", "What the node reports about a pod (`corev1.PodStatus`).", """
observedGeneration Int64
phase String // `Pending`, `Running`, `Succeeded`, `Failed` or `Unknown`.
conditions [ObjectCondition]
message String
reason String
nominatedNodeName String
hostIP String
hostIPs [HostIP]
podIP String
podIPs [PodIP]
startTime String
initContainerStatuses [ContainerStatus]
containerStatuses [ContainerStatus]
qosClass String
ephemeralContainerStatuses [ContainerStatus]
resize String
resourceClaimStatuses [JSONValue]
""")
f("PodStatus.swift", "HostIP", "An address of the pod's node.", """
ip String!
""")
f("PodStatus.swift", "PodIP", "An address of the pod.", """
ip String!
""")
f("PodStatus.swift", "ContainerStatus", "The state of one container.", """
name String!
state ContainerState
lastState ContainerState
ready Bool!
restartCount Int32!
image String!
imageID String!
containerID String
started Bool
allocatedResources [String: Quantity]
resources ResourceRequirements
volumeMounts [JSONValue]
user JSONValue
allocatedResourcesStatus [JSONValue]
stopSignal String
""")
f("PodStatus.swift", "ContainerState", "Exactly one of waiting, running, terminated.", """
waiting ContainerStateWaiting
running ContainerStateRunning
terminated ContainerStateTerminated
""")
f("PodStatus.swift", "ContainerStateWaiting", "Why a container is not running yet.", """
reason String
message String
""")
f("PodStatus.swift", "ContainerStateRunning", "Since when a container runs.", """
startedAt String
""")
f("PodStatus.swift", "ContainerStateTerminated", "How a container ended.", """
exitCode Int32!
signal Int32
reason String
message String
startedAt String
finishedAt String
containerID String
""")

# ---- Service, Endpoints
f("Service.swift", "Service", "A service (`v1/Service`).", """
spec ServiceSpec
status ServiceStatus
""", gvk=("", "v1", "Service"))
f("Service.swift", "ServiceSpec", "How a service selects and exposes pods.", """
ports [ServicePort]
selector [String: String]
clusterIP String
clusterIPs [String]
type String // `ClusterIP`, `NodePort`, `LoadBalancer` or `ExternalName`.
externalIPs [String]
sessionAffinity String
loadBalancerIP String
loadBalancerSourceRanges [String]
externalName String
externalTrafficPolicy String
healthCheckNodePort Int32
publishNotReadyAddresses Bool
sessionAffinityConfig JSONValue
ipFamilies [String]
ipFamilyPolicy String
allocateLoadBalancerNodePorts Bool
loadBalancerClass String
internalTrafficPolicy String
trafficDistribution String
""")
f("Service.swift", "ServicePort", "A port a service exposes.", """
name String
protocol String
appProtocol String
port Int32!
targetPort IntOrString
nodePort Int32
""")
f("Service.swift", "ServiceStatus", "Load balancer state and conditions.", """
loadBalancer JSONValue
conditions [Condition]
""")
f("Endpoints.swift", "Endpoints", "The addresses behind a service (`v1/Endpoints`).", """
subsets [EndpointSubset]
""", gvk=("", "v1", "Endpoints"))
f("Endpoints.swift", "EndpointSubset", "Addresses sharing a set of ports.", """
addresses [EndpointAddress]
notReadyAddresses [EndpointAddress]
ports [EndpointPort]
""")
f("Endpoints.swift", "EndpointAddress", "One endpoint address.", """
ip String!
hostname String
nodeName String
targetRef ObjectReference
""")
f("Endpoints.swift", "EndpointPort", "One endpoint port.", """
name String
port Int32!
protocol String
appProtocol String
""")

# ---- Storage (core)
f("PersistentVolume.swift", "PersistentVolume", "A piece of storage (`v1/PersistentVolume`).", """
spec PersistentVolumeSpec
status PersistentVolumeStatus
""", gvk=("", "v1", "PersistentVolume"))
f("PersistentVolume.swift", "PersistentVolumeSpec", "A volume's capacity, source, access modes and binding.", """
capacity [String: Quantity]
hostPath HostPathVolumeSource
local LocalVolumeSource
nfs NFSVolumeSource
csi JSONValue
gcePersistentDisk JSONValue
awsElasticBlockStore JSONValue
glusterfs JSONValue
rbd JSONValue
iscsi JSONValue
cinder JSONValue
cephfs JSONValue
fc JSONValue
flocker JSONValue
flexVolume JSONValue
azureFile JSONValue
vsphereVolume JSONValue
quobyte JSONValue
azureDisk JSONValue
photonPersistentDisk JSONValue
portworxVolume JSONValue
scaleIO JSONValue
storageos JSONValue
accessModes [String]
claimRef ObjectReference
persistentVolumeReclaimPolicy String // `Retain`, `Delete` or `Recycle`.
storageClassName String
mountOptions [String]
volumeMode String
nodeAffinity VolumeNodeAffinity
volumeAttributesClassName String
""")
f("PersistentVolume.swift", "VolumeNodeAffinity", "The nodes a volume can be reached from.", """
required NodeSelector
""")
f("PersistentVolume.swift", "NodeSelector", "Node selector terms, ORed.", """
nodeSelectorTerms [NodeSelectorTerm]!
""")
f("PersistentVolume.swift", "NodeSelectorTerm", "Requirements, ANDed.", """
matchExpressions [NodeSelectorRequirement]
matchFields [NodeSelectorRequirement]
""")
f("PersistentVolume.swift", "NodeSelectorRequirement", "`key operator values` against node labels or fields.", """
key String!
operator String!
values [String]
""")
f("PersistentVolume.swift", "PersistentVolumeStatus", "`Pending`, `Available`, `Bound`, `Released` or `Failed`.", """
phase String
message String
reason String
lastPhaseTransitionTime String
""")
f("PersistentVolumeClaim.swift", "PersistentVolumeClaim", "A request for storage (`v1/PersistentVolumeClaim`).", """
spec PersistentVolumeClaimSpec
status PersistentVolumeClaimStatus
""", gvk=("", "v1", "PersistentVolumeClaim"))
f("PersistentVolumeClaim.swift", "PersistentVolumeClaimSpec", "What storage a claim asks for.", """
accessModes [String]
selector LabelSelector
resources VolumeResourceRequirements
volumeName String
storageClassName String
volumeMode String
dataSource TypedLocalObjectReference
dataSourceRef JSONValue
volumeAttributesClassName String
""")
f("PersistentVolumeClaim.swift", "VolumeResourceRequirements", "Storage requests and limits.", """
limits [String: Quantity]
requests [String: Quantity]
""")
f("PersistentVolumeClaim.swift", "PersistentVolumeClaimStatus", "`Pending`, `Bound` or `Lost`, and what was bound.", """
phase String
accessModes [String]
capacity [String: Quantity]
conditions [ObjectCondition]
allocatedResources [String: Quantity]
allocatedResourceStatuses [String: String]
currentVolumeAttributesClassName String
modifyVolumeStatus JSONValue
""")

# ---- Event, ConfigMap, Secret
f("Event.swift", "Event", "Something that happened to an object (`v1/Event`).", """
involvedObject ObjectReference!
reason String
message String
source EventSource
firstTimestamp String
lastTimestamp String
count Int32
type String // `Normal` or `Warning`.
eventTime String
series JSONValue
action String
related ObjectReference
reportingComponent String
reportingInstance String
""", gvk=("", "v1", "Event"))
f("Event.swift", "EventSource", "The component that reported an event.", """
component String
host String
""")
f("ConfigMap.swift", "ConfigMap", "Configuration data (`v1/ConfigMap`).", """
immutable Bool
data [String: String]
binaryData [String: String] // base64
""", gvk=("", "v1", "ConfigMap"))
f("Secret.swift", "Secret", "Secret data (`v1/Secret`); `data` values are base64.", """
immutable Bool
data [String: String]
stringData [String: String]
type String
""", gvk=("", "v1", "Secret"))

# ---- apps/v1
f("StatefulSet.swift", "StatefulSet", "Pods with stable identities and storage (`apps/v1/StatefulSet`).", """
spec StatefulSetSpec
status StatefulSetStatus
""", gvk=("apps", "v1", "StatefulSet"))
f("StatefulSet.swift", "StatefulSetSpec", "The desired pods and claims of a StatefulSet.", """
replicas Int32
selector LabelSelector
template PodTemplateSpec!
volumeClaimTemplates [PersistentVolumeClaim]
serviceName String
podManagementPolicy String // `OrderedReady` or `Parallel`.
updateStrategy StatefulSetUpdateStrategy
revisionHistoryLimit Int32
minReadySeconds Int32
persistentVolumeClaimRetentionPolicy StatefulSetPersistentVolumeClaimRetentionPolicy
ordinals StatefulSetOrdinals
""")
f("StatefulSet.swift", "StatefulSetUpdateStrategy", "`RollingUpdate` or `OnDelete`.", """
type String
rollingUpdate RollingUpdateStatefulSetStrategy
""")
f("StatefulSet.swift", "RollingUpdateStatefulSetStrategy", "Which ordinals update, and how many may be down.", """
partition Int32
maxUnavailable IntOrString
""")
f("StatefulSet.swift", "StatefulSetPersistentVolumeClaimRetentionPolicy", "What happens to claims on delete and scale-down (`Retain` or `Delete`).", """
whenDeleted String
whenScaled String
""")
f("StatefulSet.swift", "StatefulSetOrdinals", "The first ordinal of the set.", """
start Int32
""")
f("StatefulSet.swift", "StatefulSetStatus", "What the StatefulSet controller observed.", """
observedGeneration Int64
replicas Int32!
readyReplicas Int32
currentReplicas Int32
updatedReplicas Int32
currentRevision String
updateRevision String
collisionCount Int32
conditions [ObjectCondition]
availableReplicas Int32
""")
f("ControllerRevision.swift", "ControllerRevision", "An immutable snapshot of a controller's template (`apps/v1/ControllerRevision`).", """
data JSONValue
revision Int64!
""", gvk=("apps", "v1", "ControllerRevision"))

# ---- storage, discovery, coordination, autoscaling
f("StorageClass.swift", "StorageClass", "A class of storage (`storage.k8s.io/v1/StorageClass`).", """
provisioner String!
parameters [String: String]
reclaimPolicy String
mountOptions [String]
allowVolumeExpansion Bool
volumeBindingMode String // `Immediate` or `WaitForFirstConsumer`.
allowedTopologies [JSONValue]
""", gvk=("storage.k8s.io", "v1", "StorageClass"))
f("EndpointSlice.swift", "EndpointSlice", "A slice of a service's endpoints (`discovery.k8s.io/v1/EndpointSlice`).", """
addressType String!
endpoints [Endpoint]!
ports [EndpointSlicePort]
""", gvk=("discovery.k8s.io", "v1", "EndpointSlice"))
f("EndpointSlice.swift", "Endpoint", "One endpoint of a slice.", """
addresses [String]!
conditions EndpointConditions
hostname String
targetRef ObjectReference
deprecatedTopology [String: String]
nodeName String
zone String
hints JSONValue
""")
f("EndpointSlice.swift", "EndpointConditions", "Readiness of an endpoint.", """
ready Bool
serving Bool
terminating Bool
""")
f("EndpointSlice.swift", "EndpointSlicePort", "A port of a slice.", """
name String
protocol String
port Int32
appProtocol String
""")
f("Lease.swift", "Lease", "A lease, for leader election and node heartbeats (`coordination.k8s.io/v1/Lease`).", """
spec LeaseSpec
""", gvk=("coordination.k8s.io", "v1", "Lease"))
f("Lease.swift", "LeaseSpec", "Who holds a lease and until when.", """
holderIdentity String
leaseDurationSeconds Int32
acquireTime String
renewTime String
leaseTransitions Int32
strategy String
preferredHolder String
""")
f("Scale.swift", "Scale", "The scale subresource (`autoscaling/v1/Scale`).", """
spec ScaleSpec
status ScaleStatus
""", gvk=("autoscaling", "v1", "Scale"))
f("Scale.swift", "ScaleSpec", "The desired replicas.", """
replicas Int32
""")
f("Scale.swift", "ScaleStatus", "The observed replicas and the label selector, in query-string form.", """
replicas Int32!
selector String
""")
