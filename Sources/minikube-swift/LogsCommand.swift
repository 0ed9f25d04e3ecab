import ArgumentParser
import Foundation
import KubeClient
import KubeModel

/// `minikube-swift logs POD [-c CONTAINER] [-f] [--tail N] [-p] [--timestamps]`: a container's
/// log, as `kubectl logs` prints it.
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print the log of a container in a pod.")

    @OptionGroup var client: ClientOptions

    @Argument(help: "The pod (NAME or pod/NAME).")
    var pod: String

    @Option(name: .shortAndLong, help: "The container (default: the pod's default or first container).")
    var container: String?

    @Flag(name: .shortAndLong, help: "Stream the log until the container stops.")
    var follow = false

    @Flag(name: .shortAndLong, help: "The log of the previous instance of the container.")
    var previous = false

    @Flag(help: "Prefix each line with its RFC3339 timestamp.")
    var timestamps = false

    @Option(help: "Only the last N lines (-1: all).")
    var tail: Int = -1

    @Option(help: "Only lines newer than this many seconds.")
    var sinceSeconds: Int?

    @Option(help: "At most this many bytes.")
    var limitBytes: Int?

    func run() async throws {
        let name = pod.hasPrefix("pod/") ? String(pod.dropFirst(4)) : pod
        try await client.withClient { api in
            let namespace = client.namespace ?? api.defaultNamespace
            let options = PodLogOptions(follow: follow, previous: previous, timestamps: timestamps, tailLines: tail >= 0 ? tail : nil,
                                        sinceSeconds: sinceSeconds, limitBytes: limitBytes)
            var chosen = container
            if chosen == nil { chosen = try await defaultContainer(api, namespace: namespace, pod: name) }
            let stream = try await api.logs(namespace: namespace, pod: name, container: chosen, options: options)
            for try await chunk in stream {
                FileHandle.standardOutput.write(Data(chunk))
            }
        }
    }

    /// As kubectl: the `kubectl.kubernetes.io/default-container` annotation, else the first
    /// container (saying so when there are several).
    func defaultContainer(_ api: HTTPKubeClient, namespace: String, pod: String) async throws -> String? {
        let object = try await api.get(try Pod.resource, namespace: namespace, name: pod)
        let names = object[path: ["spec", "containers"]]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        if let annotated = object[path: ["metadata", "annotations", "kubectl.kubernetes.io/default-container"]]?.stringValue,
           names.contains(annotated) {
            return annotated
        }
        if names.count > 1, let first = names.first {
            FileHandle.standardError.write(Data("Defaulted container \"\(first)\" out of: \(names.joined(separator: ", "))\n".utf8))
        }
        return names.first
    }
}
