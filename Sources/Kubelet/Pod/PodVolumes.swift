import Foundation
import KubeClient
import KubeModel

/// A pod volume as a path on the node, ready to be bind-mounted.
public struct HostVolume: Sendable, Equatable {
    public var path: String
    public var readOnly: Bool

    public init(path: String, readOnly: Bool = false) {
        self.path = path
        self.readOnly = readOnly
    }
}

/// Why a pod's volumes are not ready: the pod waits (event `FailedMount`), its containers do
/// not start without them.
public struct VolumeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var volume: String
    public var message: String

    public init(volume: String, message: String) {
        self.volume = volume
        self.message = message
    }

    public var description: String { "MountVolume.SetUp failed for volume \"\(volume)\" : \(message)" }
}

/// Sets up a pod's volumes under `<podDirectory>/volumes/<plugin>/<name>` (emptyDir,
/// configMap, secret, downwardAPI) or on the node (hostPath, and a claim's bound hostPath or
/// local PersistentVolume), and turns a container's `volumeMounts` into bind mounts.
public struct PodVolumes: Sendable {
    public let client: any KubeClient
    /// `<dataDir>/pods/<uid>`.
    public let podDirectory: String

    public init(client: any KubeClient, podDirectory: String) {
        self.client = client
        self.podDirectory = podDirectory
    }

    /// Every volume of the pod, by name. Throws for the first one that cannot be set up.
    public func prepare(_ pod: Pod) async throws -> [String: HostVolume] {
        var result: [String: HostVolume] = [:]
        let namespace = pod.metadata.namespace ?? "default"
        for volume in pod.spec?.volumes ?? [] {
            let name = volume.name
            if let source = volume.hostPath {
                result[name] = HostVolume(path: try Self.checkHostPath(source.path, type: source.type ?? "", volume: name))
            } else if let source = volume.persistentVolumeClaim {
                var host = try await claimVolume(source.claimName, namespace: namespace, volume: name)
                host.readOnly = host.readOnly || source.readOnly == true
                result[name] = host
            } else if volume.emptyDir != nil {
                let path = directory(plugin: "empty-dir", name: name)
                try Self.makeDirectory(path, mode: 0o777, volume: name)
                result[name] = HostVolume(path: path)
            } else if let source = volume.configMap {
                let configMapName = source.name ?? ""
                let configMap = try await client.getIfExists(ConfigMap.self, namespace: namespace, name: configMapName)
                let files = configMap.map { configMap in
                    var files: [String: [UInt8]] = [:]
                    for (key, value) in configMap.data ?? [:] { files[key] = Array(value.utf8) }
                    for (key, value) in configMap.binaryData ?? [:] { files[key] = Data(base64Encoded: value).map(Array.init) ?? [] }
                    return files
                }
                result[name] = try projected(files, items: source.items, defaultMode: source.defaultMode, optional: source.optional == true,
                                             plugin: "configmap", what: "configmap \"\(configMapName)\"", volume: name)
            } else if let source = volume.secret {
                let secretName = source.secretName ?? ""
                let secret = try await client.getIfExists(Secret.self, namespace: namespace, name: secretName)
                result[name] = try projected(secret.map(ContainerEnvironment.secretData), items: source.items, defaultMode: source.defaultMode,
                                             optional: source.optional == true, plugin: "secret", what: "secret \"\(secretName)\"", volume: name)
            } else if let source = volume.downwardAPI {
                let path = directory(plugin: "downward-api", name: name)
                var files: [String: [UInt8]] = [:]
                for item in source["items"]?.arrayValue ?? [] {
                    guard let file = item["path"]?.stringValue else { continue }
                    if let fieldPath = item[path: ["fieldRef", "fieldPath"]]?.stringValue {
                        files[file] = Array(Self.downwardValue(fieldPath, pod: pod).utf8)
                    }
                }
                let mode = source["defaultMode"]?.intValue.map { Int32($0) } ?? 0o644
                try Self.project(files, items: nil, defaultMode: mode, into: path, optional: true, what: "downward API", volume: name)
                result[name] = HostVolume(path: path, readOnly: true)
            } else {
                throw VolumeError(volume: name, message: "this volume type is not supported by minikube-swift (hostPath, persistentVolumeClaim, emptyDir, configMap, secret and downwardAPI are)")
            }
        }
        return result
    }

    /// The bind mounts for a container's `volumeMounts`.
    public static func mounts(for container: Container, volumes: [String: HostVolume]) throws -> [ContainerSpec.Mount] {
        try (container.volumeMounts ?? []).map { mount in
            guard let volume = volumes[mount.name] else {
                throw VolumeError(volume: mount.name, message: "volume \"\(mount.name)\" is not defined in the pod")
            }
            var source = volume.path
            if let subPath = mount.subPath, !subPath.isEmpty {
                source = try Self.subPath(subPath, in: volume.path, volume: mount.name)
            }
            return ContainerSpec.Mount(source: source, destination: mount.mountPath, readOnly: volume.readOnly || mount.readOnly == true)
        }
    }

    /// Removes what `prepare` wrote under the pod directory (never a hostPath or PV).
    public func cleanUp() {
        try? FileManager.default.removeItem(atPath: podDirectory + "/volumes")
    }

    // MARK: - internals

    /// A configMap or secret volume: its files (nil: the object does not exist, an error unless
    /// the volume is optional, then an empty directory), read-only.
    func projected(_ files: [String: [UInt8]]?, items: [KeyToPath]?, defaultMode: Int32?, optional: Bool,
                   plugin: String, what: String, volume: String) throws -> HostVolume {
        let path = directory(plugin: plugin, name: volume)
        guard let files else {
            guard optional else { throw VolumeError(volume: volume, message: "\(what) not found") }
            try Self.makeDirectory(path, mode: 0o755, volume: volume)
            return HostVolume(path: path, readOnly: true)
        }
        try Self.project(files, items: items, defaultMode: defaultMode ?? 0o644, into: path, optional: optional, what: what, volume: volume)
        return HostVolume(path: path, readOnly: true)
    }

    func directory(plugin: String, name: String) -> String {
        "\(podDirectory)/volumes/kubernetes.io~\(plugin)/\(name)"
    }

    func claimVolume(_ claimName: String, namespace: String, volume: String) async throws -> HostVolume {
        guard let claim = try await client.getIfExists(PersistentVolumeClaim.self, namespace: namespace, name: claimName) else {
            throw VolumeError(volume: volume, message: "persistentvolumeclaim \"\(claimName)\" not found")
        }
        guard claim.status?.phase == "Bound", let volumeName = claim.spec?.volumeName, !volumeName.isEmpty else {
            throw VolumeError(volume: volume, message: "persistentvolumeclaim \"\(claimName)\" is not bound")
        }
        guard let pv = try await client.getIfExists(PersistentVolume.self, name: volumeName) else {
            throw VolumeError(volume: volume, message: "persistentvolume \"\(volumeName)\" not found")
        }
        if let hostPath = pv.spec?.hostPath {
            return HostVolume(path: try Self.checkHostPath(hostPath.path, type: hostPath.type ?? "", volume: volume))
        }
        if let local = pv.spec?.local {
            guard Self.fileType(local.path) == .directory else {
                throw VolumeError(volume: volume, message: "local volume path \(local.path) of persistentvolume \"\(volumeName)\" is not a directory")
            }
            return HostVolume(path: local.path)
        }
        throw VolumeError(volume: volume, message: "persistentvolume \"\(volumeName)\" is neither hostPath nor local; minikube-swift mounts only those")
    }

    enum FileType { case missing, directory, file, socket, characterDevice, blockDevice, other }

    static func fileType(_ path: String) -> FileType {
        var st = stat()
        guard stat(path, &st) == 0 else { return .missing }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .file
        case S_IFSOCK: return .socket
        case S_IFCHR: return .characterDevice
        case S_IFBLK: return .blockDevice
        default: return .other
        }
    }

    /// Checks (and for the `…OrCreate` types creates) a hostPath as its `type` asks. With no
    /// type a missing path is created as a directory, as container runtimes do.
    static func checkHostPath(_ path: String, type: String, volume: String) throws -> String {
        guard path.hasPrefix("/") else { throw VolumeError(volume: volume, message: "hostPath \(path) is not absolute") }
        let found = fileType(path)
        func fail(_ what: String) -> VolumeError {
            VolumeError(volume: volume, message: "hostPath type check failed: \(path) is not a \(what)")
        }
        switch type {
        case "", "DirectoryOrCreate":
            if found == .missing { try makeDirectory(path, mode: 0o755, volume: volume) }
            else if type == "DirectoryOrCreate" && found != .directory { throw fail("directory") }
        case "Directory":
            guard found == .directory else { throw fail("directory") }
        case "FileOrCreate":
            if found == .missing {
                try makeDirectory((path as NSString).deletingLastPathComponent, mode: 0o755, volume: volume)
                guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o644]) else {
                    throw VolumeError(volume: volume, message: "create \(path) failed")
                }
            } else if found != .file { throw fail("file") }
        case "File": guard found == .file else { throw fail("file") }
        case "Socket": guard found == .socket else { throw fail("socket") }
        case "CharDevice": guard found == .characterDevice else { throw fail("character device") }
        case "BlockDevice": guard found == .blockDevice else { throw fail("block device") }
        default: throw VolumeError(volume: volume, message: "unsupported hostPath type \(type)")
        }
        return path
    }

    static func makeDirectory(_ path: String, mode: Int, volume: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: nil)
            chmod(path, mode_t(mode))
        } catch {
            throw VolumeError(volume: volume, message: "mkdir \(path): \(error.localizedDescription)")
        }
    }

    /// `volume/subPath`, created as a directory when missing; it must stay inside the volume
    /// (no `..`, no absolute path, no symlink leading out).
    static func subPath(_ subPath: String, in root: String, volume: String) throws -> String {
        let components = subPath.split(separator: "/")
        guard !subPath.hasPrefix("/"), !components.contains("..") else {
            throw VolumeError(volume: volume, message: "subPath \(subPath) must be a relative path without '..'")
        }
        let path = root + "/" + components.joined(separator: "/")
        if fileType(path) == .missing { try makeDirectory(path, mode: 0o755, volume: volume) }
        let resolvedRoot = (root as NSString).resolvingSymlinksInPath
        let resolved = (path as NSString).resolvingSymlinksInPath
        guard resolved == resolvedRoot || resolved.hasPrefix(resolvedRoot + "/") else {
            throw VolumeError(volume: volume, message: "subPath \(subPath) leads outside the volume")
        }
        return resolved
    }

    /// Writes `files` (or the `items` picked from them) into `directory`, replacing its
    /// previous content.
    static func project(_ files: [String: [UInt8]], items: [KeyToPath]?, defaultMode: Int32, into directory: String,
                        optional: Bool, what: String, volume: String) throws {
        var wanted: [(path: String, bytes: [UInt8], mode: Int32)] = []
        if let items {
            for item in items {
                guard let bytes = files[item.key] else {
                    if optional { continue }
                    throw VolumeError(volume: volume, message: "couldn't find key \(item.key) in \(what)")
                }
                wanted.append((item.path, bytes, item.mode ?? defaultMode))
            }
        } else {
            wanted = files.sorted { $0.key < $1.key }.map { ($0.key, $0.value, defaultMode) }
        }
        let staging = directory + ".new"
        try? FileManager.default.removeItem(atPath: staging)
        try makeDirectory(staging, mode: 0o755, volume: volume)
        for file in wanted {
            let components = file.path.split(separator: "/")
            guard !file.path.hasPrefix("/"), !components.contains(".."), !components.isEmpty else {
                throw VolumeError(volume: volume, message: "invalid path \(file.path) in \(what)")
            }
            let path = staging + "/" + components.joined(separator: "/")
            try makeDirectory((path as NSString).deletingLastPathComponent, mode: 0o755, volume: volume)
            guard FileManager.default.createFile(atPath: path, contents: Data(file.bytes), attributes: [.posixPermissions: Int(file.mode)]) else {
                throw VolumeError(volume: volume, message: "write \(path) failed")
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
        guard rename(staging, directory) == 0 else {
            throw VolumeError(volume: volume, message: "rename \(staging): \(String(cString: strerror(errno)))")
        }
    }

    static func downwardValue(_ fieldPath: String, pod: Pod) -> String {
        func render(_ map: [String: String]?) -> String {
            (map ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: "\n")
        }
        switch fieldPath {
        case "metadata.labels": return render(pod.metadata.labels)
        case "metadata.annotations": return render(pod.metadata.annotations)
        default: return (try? ContainerEnvironment.fieldValue(fieldPath, pod: pod, sources: .init())) ?? ""
        }
    }
}
