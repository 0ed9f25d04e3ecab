import Foundation
import KubeModel
import Yams

/// A kubeconfig file (`clientcmd/api/v1.Config`): the clusters, users and contexts kubectl reads.
/// Members this type does not model are not kept; `merge` only replaces entries by name.
public struct Kubeconfig: Codable, Sendable, Hashable {
    public struct Cluster: Codable, Sendable, Hashable {
        public var server: String
        public var certificateAuthorityData: String?
        public var certificateAuthority: String?
        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthorityData = "certificate-authority-data"
            case certificateAuthority = "certificate-authority"
        }
        public init(server: String, certificateAuthorityData: String? = nil) {
            self.server = server
            self.certificateAuthorityData = certificateAuthorityData
        }
    }

    public struct User: Codable, Sendable, Hashable {
        public var clientCertificateData: String?
        public var clientKeyData: String?
        public var clientCertificate: String?
        public var clientKey: String?
        public var token: String?
        enum CodingKeys: String, CodingKey {
            case clientCertificateData = "client-certificate-data"
            case clientKeyData = "client-key-data"
            case clientCertificate = "client-certificate"
            case clientKey = "client-key"
            case token
        }
        public init(clientCertificateData: String? = nil, clientKeyData: String? = nil, token: String? = nil) {
            self.clientCertificateData = clientCertificateData
            self.clientKeyData = clientKeyData
            self.token = token
        }
    }

    public struct Context: Codable, Sendable, Hashable {
        public var cluster: String
        public var user: String
        public var namespace: String?
        public init(cluster: String, user: String, namespace: String? = nil) {
            self.cluster = cluster
            self.user = user
            self.namespace = namespace
        }
    }

    public struct Named<Value: Codable & Sendable & Hashable>: Codable, Sendable, Hashable {
        public var name: String
        public var value: Value
        public init(name: String, value: Value) {
            self.name = name
            self.value = value
        }
        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            name = try container.decode(String.self, forKey: Key(stringValue: "name"))
            let field = container.contains(Key(stringValue: "cluster")) ? "cluster"
                : container.contains(Key(stringValue: "user")) ? "user" : "context"
            value = try container.decode(Value.self, forKey: Key(stringValue: field))
        }
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(name, forKey: Key(stringValue: "name"))
            let field = Value.self == Cluster.self ? "cluster" : Value.self == User.self ? "user" : "context"
            try container.encode(value, forKey: Key(stringValue: field))
        }
    }

    public var apiVersion: String = "v1"
    public var kind: String = "Config"
    public var clusters: [Named<Cluster>] = []
    public var users: [Named<User>] = []
    public var contexts: [Named<Context>] = []
    public var currentContext: String?

    enum CodingKeys: String, CodingKey {
        case apiVersion, kind, clusters, users, contexts
        case currentContext = "current-context"
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion) ?? "v1"
        kind = try container.decodeIfPresent(String.self, forKey: .kind) ?? "Config"
        clusters = try container.decodeIfPresent([Named<Cluster>].self, forKey: .clusters) ?? []
        users = try container.decodeIfPresent([Named<User>].self, forKey: .users) ?? []
        contexts = try container.decodeIfPresent([Named<Context>].self, forKey: .contexts) ?? []
        currentContext = try container.decodeIfPresent(String.self, forKey: .currentContext)
    }

    /// Reads a kubeconfig file.
    public static func load(path: String) throws -> Kubeconfig {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return Kubeconfig() }
        return try YAMLDecoder().decode(Kubeconfig.self, from: text)
    }

    /// Writes the file with mode 0600 (it holds a private key).
    public func write(path: String) throws {
        try Self.writePrivate(YAMLEncoder().encode(self), to: path)
    }

    /// Merges this config's clusters, users and contexts (same names replaced) and its current
    /// context into the kubeconfig file at `path`, keeping everything else in that file as it
    /// was (other users' exec plugins, preferences, extensions).
    public func merge(intoFileAt path: String) throws {
        var document: JSONValue = .object([:])
        if let data = FileManager.default.contents(atPath: path),
           let existing = try ManifestDecoder.documents(from: data).first, case .object = existing {
            document = existing
        }
        let mine = try JSONValue(json: JSONEncoder().encode(self))
        for key in ["clusters", "users", "contexts"] {
            var entries = document[key]?.arrayValue ?? []
            for entry in mine[key]?.arrayValue ?? [] {
                entries.removeAll { $0["name"] == entry["name"] }
                entries.append(entry)
            }
            document[key] = .array(entries)
        }
        if document["apiVersion"] == nil { document["apiVersion"] = .string("v1") }
        if document["kind"] == nil { document["kind"] = .string("Config") }
        document["current-context"] = mine["current-context"]
        try Self.writePrivate(YAMLWriter.string(document), to: path)
    }

    static func writePrivate(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        try Data(text.utf8).write(to: url, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }

    /// This config with `other`'s clusters, users and contexts added (same names replaced) and
    /// its current context selected.
    public func merging(_ other: Kubeconfig) -> Kubeconfig {
        var result = self
        for cluster in other.clusters {
            result.clusters.removeAll { $0.name == cluster.name }
            result.clusters.append(cluster)
        }
        for user in other.users {
            result.users.removeAll { $0.name == user.name }
            result.users.append(user)
        }
        for context in other.contexts {
            result.contexts.removeAll { $0.name == context.name }
            result.contexts.append(context)
        }
        if let current = other.currentContext { result.currentContext = current }
        return result
    }

    /// The cluster, user and namespace of a context (the current one when nil).
    public func resolve(context name: String? = nil) throws -> (cluster: Cluster, user: User, namespace: String) {
        guard let contextName = name ?? currentContext,
              let context = contexts.first(where: { $0.name == contextName })?.value else {
            throw KubeconfigError.noContext(name ?? currentContext ?? "")
        }
        guard let cluster = clusters.first(where: { $0.name == context.cluster })?.value else {
            throw KubeconfigError.noCluster(context.cluster)
        }
        let user = users.first(where: { $0.name == context.user })?.value ?? User()
        return (cluster, user, context.namespace ?? "default")
    }

    /// `$KUBECONFIG` (first entry) or `~/.kube/config`.
    public static var defaultPath: String {
        if let env = ProcessInfo.processInfo.environment["KUBECONFIG"], !env.isEmpty {
            return String(env.split(separator: ":").first ?? Substring(env))
        }
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        return home + "/.kube/config"
    }
}

public enum KubeconfigError: Error, CustomStringConvertible {
    case noContext(String)
    case noCluster(String)

    public var description: String {
        switch self {
        case .noContext(let name): return "kubeconfig: context \"\(name)\" not found"
        case .noCluster(let name): return "kubeconfig: cluster \"\(name)\" not found"
        }
    }
}
