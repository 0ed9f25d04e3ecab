import ArgumentParser
import Foundation
import KubeClient
import KubeModel

/// `minikube-swift delete -f FILE|DIR|-` or `delete KIND NAME…`.
struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete objects by manifest or by kind and name.")

    @OptionGroup var client: ClientOptions

    @Option(name: [.short, .customLong("filename")], help: "A file, a directory, or - for stdin.")
    var filenames: [String] = []

    @Argument(help: "KIND NAME…")
    var arguments: [String] = []

    func run() async throws {
        try await client.withClient { api in
            var targets: [(APIResource, String?, String)] = []
            let defaultNamespace = client.namespace ?? api.defaultNamespace
            if !filenames.isEmpty {
                for object in try Manifests.read(filenames) {
                    let resource = try Manifests.resource(of: object)
                    let namespace = resource.namespaced ? (object["metadata"]?["namespace"]?.stringValue ?? defaultNamespace) : nil
                    targets.append((resource, namespace, object["metadata"]?["name"]?.stringValue ?? ""))
                }
            } else {
                guard arguments.count >= 2, let resource = ResourceCatalog.resource(named: arguments[0]) else {
                    throw ValidationError("usage: delete -f FILE | delete KIND NAME…")
                }
                for name in arguments.dropFirst() {
                    targets.append((resource, resource.namespaced ? defaultNamespace : nil, name))
                }
            }
            var failed = false
            for (resource, namespace, name) in targets {
                do {
                    try await api.delete(resource, namespace: namespace, name: name, options: DeleteOptions(propagationPolicy: "Background"))
                    let kind = resource.gvk.group.isEmpty ? resource.singular : "\(resource.singular).\(resource.gvk.group)"
                    print("\(kind) \"\(name)\" deleted")
                } catch let error as KubeAPIError {
                    FileHandle.standardError.write(Data("\(error)\n".utf8))
                    failed = true
                }
            }
            if failed { throw ExitCode(1) }
        }
    }
}
