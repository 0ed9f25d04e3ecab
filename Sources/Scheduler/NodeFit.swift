import KubeModel

/// The node filters and the score of the default scheduler's plugins that apply here
/// (NodeUnschedulable, NodeName, NodeAffinity, TaintToleration, NodeResourcesFit,
/// LeastAllocated).
enum NodeFit {
    /// Why `pod` cannot run on `node` (Kubernetes' words, counted per node), or nil if it fits.
    static func reject(_ pod: Pod, on node: Node, podsOnNode: [Pod]) -> String? {
        let spec = pod.spec
        if node.spec?.unschedulable == true,
           !(spec?.tolerations ?? []).contains(where: { $0.key == "node.kubernetes.io/unschedulable" || ($0.key == nil && $0.operator == "Exists") }) {
            return "node(s) were unschedulable"
        }
        // TaintToleration runs before NodeAffinity; a NotReady node carries the not-ready taint.
        var taints = node.spec?.taints ?? []
        if let ready = node.status?.conditions?.first(where: { $0.type == "Ready" }), ready.status != "True" {
            taints.append(Taint(key: "node.kubernetes.io/not-ready", effect: "NoSchedule"))
        }
        for taint in taints where taint.effect == "NoSchedule" || taint.effect == "NoExecute" {
            if !(spec?.tolerations ?? []).contains(where: { tolerates($0, taint) }) {
                return "node(s) had untolerated taint {\(taint.key): \(taint.value ?? "")}"
            }
        }
        if let selector = spec?.nodeSelector, !selector.allSatisfy({ node.metadata.labels?[$0.key] == $0.value }) {
            return "node(s) didn't match Pod's node affinity/selector"
        }
        if let required = requiredNodeAffinity(pod), !required.matches(node) {
            return "node(s) didn't match Pod's node affinity/selector"
        }
        let allocatable = node.status?.allocatable ?? [:]
        if let maxPods = allocatable["pods"], Int128(podsOnNode.count + 1) * 1_000_000_000 > maxPods.nanos {
            return "Too many pods"
        }
        let requested = requests(of: pod)
        for resource in ["cpu", "memory"] {
            guard let capacity = allocatable[resource], let want = requested[resource], want > 0 else { continue }
            let used = podsOnNode.reduce(Int128(0)) { $0 + (requests(of: $1)[resource] ?? 0) }
            if used + want > capacity.nanos { return "Insufficient \(resource)" }
        }
        return nil
    }

    /// LeastAllocated: the share of cpu and memory left free after placing the pod (0…1).
    static func score(_ pod: Pod, on node: Node, podsOnNode: [Pod]) -> Double {
        let allocatable = node.status?.allocatable ?? [:]
        var shares: [Double] = []
        for resource in ["cpu", "memory"] {
            guard let capacity = allocatable[resource]?.nanos, capacity > 0 else { continue }
            let used = podsOnNode.reduce(requests(of: pod)[resource] ?? 0) { $0 + (requests(of: $1)[resource] ?? 0) }
            shares.append(max(0, Double(capacity - used) / Double(capacity)))
        }
        return shares.isEmpty ? 0 : shares.reduce(0, +) / Double(shares.count)
    }

    /// Effective requests in nano-units: the larger of the containers' sum and any init container.
    static func requests(of pod: Pod) -> [String: Int128] {
        var total: [String: Int128] = [:]
        for container in pod.spec?.containers ?? [] {
            for (name, quantity) in container.resources?.requests ?? [:] { total[name, default: 0] += quantity.nanos }
        }
        for container in pod.spec?.initContainers ?? [] {
            for (name, quantity) in container.resources?.requests ?? [:] { total[name] = max(total[name] ?? 0, quantity.nanos) }
        }
        return total
    }

    static func requiredNodeAffinity(_ pod: Pod) -> NodeSelector? {
        guard let required = pod.spec?.affinity?[path: ["nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution"]] else {
            return nil
        }
        return try? required.decode(NodeSelector.self)
    }

    /// `v1.Toleration.ToleratesTaint`.
    static func tolerates(_ toleration: Toleration, _ taint: Taint) -> Bool {
        if let effect = toleration.effect, !effect.isEmpty, effect != taint.effect { return false }
        if let key = toleration.key, !key.isEmpty, key != taint.key { return false }
        switch toleration.operator ?? "Equal" {
        case "Exists": return true
        case "Equal": return (toleration.value ?? "") == (taint.value ?? "") && (toleration.key ?? "").isEmpty == false
        default: return false
        }
    }
}
