import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The node's content-addressed image store (under `<dataDir>/images`):
///
///     <root>/blobs/sha256/<hex>     manifests, configs and layer blobs, verified on the way in
///     <root>/layers/sha256/<hex>    each layer unpacked once, keyed by diff ID (overlayfs lowerdirs)
///     <root>/refs.json              normalized name → manifest digest
///     <root>/tmp/                   staging; anything here is garbage after a crash
///
/// Writers (load, remove) take an exclusive `flock` on `<root>/lock`, so several tasks and
/// processes may share a store. Blobs and layers appear by `rename`, never half-written.
public final class ImageStore: Sendable {
    public let root: String

    var blobsDirectory: String { root + "/blobs/sha256" }
    var layersDirectory: String { root + "/layers/sha256" }
    var temporaryDirectory: String { root + "/tmp" }
    var refsPath: String { root + "/refs.json" }
    var lockPath: String { root + "/lock" }

    public init(root: String) throws {
        self.root = root
        try FileSystem.makeDirectories(root + "/blobs/sha256", mode: 0o700)
        try FileSystem.makeDirectories(root + "/layers/sha256", mode: 0o755)
        try FileSystem.makeDirectories(root + "/tmp", mode: 0o700)
        chmod(root + "/layers", 0o755)
        chmod(root + "/layers/sha256", 0o755)
    }

    func blobPath(_ digest: Digest) -> String { blobsDirectory + "/" + digest.hex }
    func layerPath(_ diffID: Digest) -> String { layersDirectory + "/" + diffID.hex }

    // MARK: - Queries

    /// Every named (and unnamed, by digest) image, sorted by name.
    public func list() throws -> [Image] {
        try readRefs().sorted { $0.key < $1.key }.map { try image(named: $0.key, digest: Digest(parsing: $0.value)) }
    }

    /// The image `reference` names: a name (`busybox`, `k8s.gcr.io/nginx-slim:0.8`), a
    /// `name@sha256:…`, a manifest digest `sha256:…` or an image ID prefix (≥ 12 hex).
    public func resolve(_ reference: String) throws -> Image {
        let refs = try readRefs()
        let keys = try matchingKeys(reference, in: refs)
        guard let key = keys.first, let digest = refs[key] else {
            throw ImageStoreError.notFound(reference)
        }
        let resolved = try? ImageReference(parsing: reference)
        let name = resolved.map { $0.digest == nil ? $0.description : key } ?? key
        return try image(named: name, digest: Digest(parsing: digest))
    }

    /// Removes a name; by digest or ID, every name of that image. Blobs and unpacked layers no
    /// image uses any more are deleted.
    public func remove(_ reference: String) throws {
        try withExclusiveLock {
            var refs = try readRefs()
            let keys = try matchingKeys(reference, in: refs)
            guard !keys.isEmpty else { throw ImageStoreError.notFound(reference) }
            let byName = (try? ImageReference(parsing: reference))?.digest == nil && !Self.looksLikeID(reference)
            if byName {
                refs[keys[0]] = nil
            } else {
                let digests = Set(keys.compactMap { refs[$0] })
                refs = refs.filter { !digests.contains($0.value) }
            }
            try writeRefs(refs)
            try collectGarbage(refs: refs)
        }
    }

    // MARK: - Images

    func image(named name: String, digest: Digest) throws -> Image {
        let manifestPath = blobPath(digest)
        let manifest = try decode(OCI.Manifest.self, at: manifestPath)
        let configuration = try decode(OCI.ImageConfiguration.self, at: blobPath(Digest(parsing: manifest.config.digest)))
        let layerPaths = try configuration.rootfs.diff_ids.map { try layerPath(Digest(parsing: $0)) }
        for path in layerPaths where !FileSystem.isDirectory(path) {
            throw ImageStoreError.invalidImage(path: path, reason: "unpacked layer of \(name) is missing")
        }
        let manifestSize = Int64(FileSystem.size(manifestPath) ?? 0)
        let size = manifest.layers.reduce(manifestSize + manifest.config.size) { $0 + $1.size }
        let c = configuration.config
        return Image(
            reference: name,
            digest: digest.description,
            config: ImageConfig(entrypoint: c?.Entrypoint, cmd: c?.Cmd, env: c?.Env ?? [],
                                workingDir: (c?.WorkingDir).flatMap { $0.isEmpty ? nil : $0 },
                                user: (c?.User).flatMap { $0.isEmpty ? nil : $0 }),
            layerPaths: layerPaths,
            size: size
        )
    }

    func decode<T: Decodable>(_ type: T.Type, at path: String) throws -> T {
        let data = try FileSystem.read(path)
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw ImageStoreError.invalidImage(path: path, reason: "decode \(type): \(error)")
        }
    }

    // MARK: - Refs

    static func looksLikeID(_ s: String) -> Bool {
        let hex = s.hasPrefix("sha256:") ? s.dropFirst(7) : Substring(s)
        return hex.count >= 12 && hex.count <= 64 && hex.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    /// Keys of `refs` that `reference` selects (a name, a digest, or an ID prefix).
    func matchingKeys(_ reference: String, in refs: [String: String]) throws -> [String] {
        if Self.looksLikeID(reference) {
            let hex = reference.hasPrefix("sha256:") ? String(reference.dropFirst(7)) : reference
            let digests = Set(refs.values.filter { $0.dropFirst(7).hasPrefix(hex) })
            if digests.count > 1 {
                throw ImageStoreError.invalidReference(reference, reason: "ambiguous image ID prefix")
            }
            if !digests.isEmpty {
                return refs.filter { digests.contains($0.value) }.map(\.key).sorted()
            }
            if reference.hasPrefix("sha256:") { return [] }
        }
        let parsed = try ImageReference(parsing: reference)
        if let digest = parsed.digest {
            // name@digest: the digest decides (as with a registry, the name only says where).
            return refs.filter { $0.value == digest }.map(\.key).sorted()
        }
        return refs[parsed.description] == nil ? [] : [parsed.description]
    }

    private struct RefsFile: Codable {
        var refs: [String: String]
    }

    func readRefs() throws -> [String: String] {
        guard FileSystem.exists(refsPath) else { return [:] }
        return try decode(RefsFile.self, at: refsPath).refs
    }

    func writeRefs(_ refs: [String: String]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try FileSystem.writeAtomically(try encoder.encode(RefsFile(refs: refs)), to: refsPath)
    }

    // MARK: - Locking

    func withExclusiveLock<T>(_ body: () throws -> T) throws -> T {
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ImageStoreError.system(step: "open", path: lockPath, errno: errno) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw ImageStoreError.system(step: "flock", path: lockPath, errno: errno) }
        }
        return try body()
    }
}
