import ArgumentParser
import Foundation
import KubeClient
import KubeModel

/// `minikube-swift status`: whether `up` runs, the health of its parts, the node and pod counts.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show whether the cluster runs, its node and its pods.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        guard let pid = PIDFile.runningPID(dataDir: global.dataDir) else {
            print("minikube-swift: Stopped")
            throw ExitCode(1)
        }
        let client = try HTTPKubeClient(kubeconfigPath: global.dataDir + "/kubeconfig")
        do {
            let version = try await client.send(.GET, "/version")
            let ready = try await client.send(.GET, "/readyz")
            print("minikube-swift: Running (pid \(pid))")
            print("apiserver: \(ready.stringValue == "ok" ? "Ready" : "NotReady") at \(client.server), Kubernetes \(version["gitVersion"]?.stringValue ?? "?")")
            for node in try await client.list(Node.self) {
                let condition = node.status?.conditions?.first { $0.type == "Ready" }
                let state = condition?.status == "True" ? "Ready" : "NotReady"
                let lease = try await client.getIfExists(Lease.self, namespace: "kube-node-lease", name: node.name)
                let renewed = lease?.spec?.renewTime.flatMap(RFC3339.date(from:)).map { Age.format(Date().timeIntervalSince($0)) + " ago" } ?? "never"
                print("node \(node.name): \(state) (kubelet \(node.status?.nodeInfo?.kubeletVersion ?? "?"), lease renewed \(renewed))")
            }
            let pods = try await client.list(Pod.self)
            var phases: [String: Int] = [:]
            for pod in pods { phases[pod.status?.phase ?? "Unknown", default: 0] += 1 }
            let summary = phases.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            print("pods: \(pods.count)\(summary.isEmpty ? "" : " (\(summary))")")
            print("kubeconfig: \(global.dataDir)/kubeconfig")
        } catch {
            print("minikube-swift: Running (pid \(pid)), apiserver not answering: \(error)")
            try? await client.shutdown()
            throw ExitCode(1)
        }
        try? await client.shutdown()
    }
}
