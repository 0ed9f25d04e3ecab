import ArgumentParser
import Foundation
import KubeClient
import KubeModel

/// Options of the commands that talk to the API server.
struct ClientOptions: ParsableArguments {
    @Option(help: "The kubeconfig to use (default: $KUBECONFIG or ~/.kube/config).")
    var kubeconfig: String?

    @Option(name: [.short, .customLong("namespace")], help: "The namespace (default: the context's).")
    var namespace: String?

    func client() throws -> HTTPKubeClient {
        try HTTPKubeClient(kubeconfigPath: kubeconfig)
    }

    /// Runs `body` with a client that is shut down afterwards. An API error that escapes it is
    /// printed on one line, as kubectl prints it, and the command exits 1.
    func withClient(_ body: (HTTPKubeClient) async throws -> Void) async throws {
        let api = try client()
        do {
            try await body(api)
        } catch {
            try? await api.shutdown()
            if let error = error as? KubeAPIError {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                throw ExitCode(1)
            }
            throw error
        }
        try? await api.shutdown()
    }
}

/// `minikube-swift apply -f FILE|DIR|-`: creates or updates the objects of manifests.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "apply", abstract: "Create or update objects from YAML or JSON manifests.")

    @OptionGroup var client: ClientOptions

    @Option(name: [.short, .customLong("filename")], help: "A file, a directory of .yaml/.yml/.json files, or - for stdin.")
    var filenames: [String]

    func run() async throws {
        try await client.withClient { api in
            var failed = false
            for object in try Manifests.read(filenames) {
                do {
                    print(try await apply(object, api))
                } catch let error as KubeAPIError {
                    FileHandle.standardError.write(Data("\(error)\n".utf8))
                    failed = true
                }
            }
            if failed { throw ExitCode(1) }
        }
    }

    func apply(_ object: JSONValue, _ api: HTTPKubeClient) async throws -> String {
        let resource = try Manifests.resource(of: object)
        let name = object["metadata"]?["name"]?.stringValue ?? ""
        let namespace = resource.namespaced ? (object["metadata"]?["namespace"]?.stringValue ?? client.namespace ?? api.defaultNamespace) : nil
        let label = "\(resource.gvk.group.isEmpty ? resource.singular : "\(resource.singular).\(resource.gvk.group)")/\(name)"
        do {
            let current = try await api.get(resource, namespace: namespace, name: name)
            let updated = try await api.patch(resource, namespace: namespace, name: name, type: .apply, object)
            let changed = current[path: ["metadata", "resourceVersion"]] != updated[path: ["metadata", "resourceVersion"]]
            return "\(label) \(changed ? "configured" : "unchanged")"
        } catch let error as KubeAPIError where error.isNotFound {
            _ = try await api.create(resource, namespace: namespace, object)
            return "\(label) created"
        }
    }
}

/// Reading manifests from files, directories and stdin.
enum Manifests {
    static func read(_ paths: [String]) throws -> [JSONValue] {
        var objects: [JSONValue] = []
        for path in paths {
            if path == "-" {
                objects += try ManifestDecoder.objects(from: FileHandle.standardInput.readDataToEndOfFile())
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ValidationError("the path \"\(path)\" does not exist")
            }
            let files: [String]
            if isDirectory.boolValue {
                files = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
                    .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") || $0.hasSuffix(".json") }
                    .map { path + "/" + $0 }
            } else {
                files = [path]
            }
            for file in files {
                do {
                    objects += try ManifestDecoder.objects(from: Data(contentsOf: URL(fileURLWithPath: file)))
                } catch {
                    throw ValidationError("error parsing \(file): \(error)")
                }
            }
        }
        return objects
    }

    static func resource(of object: JSONValue) throws -> APIResource {
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        let kind = object["kind"]?.stringValue ?? ""
        let parts = apiVersion.split(separator: "/").map(String.init)
        let gvk = GroupVersionKind(group: parts.count == 2 ? parts[0] : "", version: parts.last ?? "", kind: kind)
        guard let resource = ResourceCatalog.resource(for: gvk) else {
            throw ValidationError("no matches for kind \"\(kind)\" in version \"\(apiVersion)\"")
        }
        return resource
    }
}
