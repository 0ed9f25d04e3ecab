import ArgumentParser
import Foundation
import KubeClient
import KubeModel

/// `minikube-swift status`: whether `up` runs and the API server answers.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show whether the cluster is running.")

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
            print("kubeconfig: \(global.dataDir)/kubeconfig")
        } catch {
            print("minikube-swift: Running (pid \(pid)), apiserver not answering: \(error)")
            try? await client.shutdown()
            throw ExitCode(1)
        }
        try? await client.shutdown()
    }
}
