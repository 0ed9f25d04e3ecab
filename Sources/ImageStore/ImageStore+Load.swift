import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ImageStore {
    /// Loads every image of an OCI layout directory, an OCI archive (`.tar`, `.tar.gz`) or a
    /// `docker save` archive (or its extracted directory). Every blob is verified against its
    /// digest and size, every layer against its diff ID, before anything enters the store; on
    /// any error the store is left as it was.
    @discardableResult
    public func load(from path: String) throws -> [Image] {
        guard FileSystem.exists(path) else {
            throw ImageStoreError.system(step: "stat", path: path, errno: ENOENT)
        }
        return try withExclusiveLock {
            // Leftovers of an interrupted load: nobody else writes while we hold the lock.
            for stale in (try? FileSystem.directoryEntries(temporaryDirectory)) ?? [] {
                try FileSystem.removeTree(temporaryDirectory + "/" + stale)
            }
            let work = try FileSystem.makeTemporaryDirectory(in: temporaryDirectory, prefix: "load-")
            defer { try? FileSystem.removeTree(work) }

            var source = path
            if !FileSystem.isDirectory(path) {
                source = work + "/source"
                try FileSystem.makeDirectories(source, mode: 0o700)
                try LayerUnpacker(whiteouts: .apply, privileged: false).unpack(path, into: source)
            }
            var load = ImageLoader(store: self, source: source, staging: work + "/blobs",
                                   confined: source != path)
            try FileSystem.makeDirectories(load.staging, mode: 0o700)
            do {
                let loaded: [(names: [String], digest: Digest)]
                if FileSystem.exists(source + "/index.json") {
                    loaded = try load.ociLayout()
                } else if FileSystem.exists(source + "/manifest.json") {
                    loaded = try load.dockerArchive()
                } else {
                    throw ImageStoreError.invalidImage(path: path, reason: "neither an OCI layout (index.json) nor a docker save archive (manifest.json)")
                }
                guard !loaded.isEmpty else {
                    throw ImageStoreError.invalidImage(path: path, reason: "no image for linux/\(OCI.hostArchitecture)")
                }
                try load.commitBlobs()
                var refs = try readRefs()
                for image in loaded {
                    if image.names.isEmpty { refs[image.digest.description] = image.digest.description }
                    for name in image.names { refs[name] = image.digest.description }
                }
                try writeRefs(refs)
                try collectGarbage(refs: refs)
                return try loaded.map { try self.image(named: $0.names.first ?? $0.digest.description, digest: $0.digest) }
            } catch {
                // Layers unpacked for this load that no image uses, and any blob already moved.
                try? collectGarbage(refs: readRefs())
                throw error
            }
        }
    }
}

/// One `load`: reads the source, stages verified blobs, unpacks layers.
struct ImageLoader {
    let store: ImageStore
    let source: String
    let staging: String
    /// Verified blobs not yet in the store.
    var staged: [Digest: String] = [:]

    /// Whether the source came out of an archive: then its files are read only when they are
    /// inside it (a symlink in a hostile archive must not make the loader read host files).
    let confined: Bool

    init(store: ImageStore, source: String, staging: String, confined: Bool) {
        self.store = store
        self.source = source
        self.staging = staging
        self.confined = confined
    }

    /// `source/relative`, checked to stay inside the source when it is confined.
    func sourceFile(_ relative: String) throws -> String {
        let path = source + "/" + relative
        guard confined else { return path }
        guard let resolved = realpath(path, nil), let base = realpath(source, nil) else {
            throw ImageStoreError.invalidImage(path: path, reason: "missing from the archive")
        }
        defer { free(resolved); free(base) }
        guard String(cString: resolved).hasPrefix(String(cString: base) + "/") else {
            throw ImageStoreError.unsafePath(entry: relative, reason: "resolves outside the archive")
        }
        return path
    }

    // MARK: OCI layout

    mutating func ociLayout() throws -> [(names: [String], digest: Digest)] {
        let indexPath = try sourceFile("index.json")
        let index = try store.decode(OCI.Index.self, at: indexPath)
        var images: [(names: [String], digest: Digest)] = []
        for descriptor in index.manifests {
            let names = try Self.names(descriptor.annotations)
            guard let manifest = try pickManifest(descriptor) else { continue }
            let digest = try loadManifest(manifest)
            if let i = images.firstIndex(where: { $0.digest == digest }) {
                images[i].names += names.filter { !images[i].names.contains($0) }
            } else {
                images.append((names, digest))
            }
        }
        return images
    }

    /// The image's full name from an index entry. `org.opencontainers.image.ref.name` is either
    /// a full reference or a bare tag; a bare tag applies to containerd's `io.containerd.image.name`
    /// (umoci copies that annotation to new tags of the same repository), and alone names nothing.
    static func names(_ annotations: [String: String]?) throws -> [String] {
        let containerdName = try annotations?[OCI.Annotation.containerdImageName].map { try ImageReference(parsing: $0) }
        guard let ref = annotations?[OCI.Annotation.refName] else {
            return containerdName.map { [$0.description] } ?? []
        }
        if ref.contains("/") || ref.contains(":") || ref.contains("@") {
            return [try ImageReference(parsing: ref).description]
        }
        guard var name = containerdName else { return [] }
        guard ImageReference.isValidTag(ref) else {
            throw ImageStoreError.invalidReference(ref, reason: "\(OCI.Annotation.refName) is neither a reference nor a tag")
        }
        name.tag = ref
        name.digest = nil
        return [name.description]
    }

    /// The manifest for this machine's platform behind `descriptor` (following nested indexes).
    mutating func pickManifest(_ descriptor: OCI.Descriptor) throws -> OCI.Descriptor? {
        if let platform = descriptor.platform, !Self.matchesHost(platform) { return nil }
        if OCI.MediaType.manifests.contains(descriptor.mediaType) { return descriptor }
        guard OCI.MediaType.indexes.contains(descriptor.mediaType) else {
            throw ImageStoreError.unsupported("media type \(descriptor.mediaType) in an index")
        }
        let index = try store.decode(OCI.Index.self, at: try stage(descriptor))
        for child in index.manifests {
            if let found = try pickManifest(child) { return found }
        }
        return nil
    }

    static func matchesHost(_ platform: OCI.Platform) -> Bool {
        platform.os == "linux" && platform.architecture == OCI.hostArchitecture
    }

    /// Stages the manifest, its config and layers; unpacks the layers. Returns the manifest digest.
    mutating func loadManifest(_ descriptor: OCI.Descriptor) throws -> Digest {
        let manifestPath = try stage(descriptor)
        let manifest = try store.decode(OCI.Manifest.self, at: manifestPath)
        if let mediaType = manifest.mediaType, !OCI.MediaType.manifests.contains(mediaType) {
            throw ImageStoreError.unsupported("manifest media type \(mediaType)")
        }
        let configPath = try stage(manifest.config)
        let configuration = try store.decode(OCI.ImageConfiguration.self, at: configPath)
        let diffIDs = try configuration.rootfs.diff_ids.map { try Digest(parsing: $0) }
        guard diffIDs.count == manifest.layers.count else {
            throw ImageStoreError.invalidImage(path: configPath, reason: "\(diffIDs.count) diff_ids for \(manifest.layers.count) layers")
        }
        for (layer, diffID) in zip(manifest.layers, diffIDs) {
            guard OCI.MediaType.layers.contains(layer.mediaType) else {
                throw ImageStoreError.unsupported("layer media type \(layer.mediaType)")
            }
            let blob = try stage(layer)
            try unpackLayer(blob, diffID: diffID, digest: layer.digest)
        }
        return try Digest(parsing: descriptor.digest)
    }

    /// Unpacks a layer once: into a temp dir, then renamed to `layers/sha256/<diffID>`.
    func unpackLayer(_ blob: String, diffID: Digest, digest: String) throws {
        let destination = store.layerPath(diffID)
        if FileSystem.isDirectory(destination) { return }
        let actual = try LayerUnpacker.diffID(of: blob)
        guard actual == diffID else {
            throw ImageStoreError.digestMismatch(path: "layer \(digest) (uncompressed)", expected: diffID.description, actual: actual.description)
        }
        let unpacking = try FileSystem.makeTemporaryDirectory(in: store.temporaryDirectory, prefix: "layer-")
        do {
            try LayerUnpacker(whiteouts: .overlay).unpack(blob, into: unpacking)
            if chmod(unpacking, 0o755) != 0 {
                throw ImageStoreError.system(step: "chmod", path: unpacking, errno: errno)
            }
            try FileSystem.rename(unpacking, destination)
        } catch {
            try? FileSystem.removeTree(unpacking)
            throw error
        }
    }

    // MARK: docker save

    mutating func dockerArchive() throws -> [(names: [String], digest: Digest)] {
        let manifestPath = try sourceFile("manifest.json")
        let entries = try store.decode([OCI.DockerSaveEntry].self, at: manifestPath)
        var images: [(names: [String], digest: Digest)] = []
        for entry in entries {
            let (configDigest, configSize) = try stageFile(entry.Config)
            let configuration = try store.decode(OCI.ImageConfiguration.self, at: try blob(configDigest))
            let diffIDs = try configuration.rootfs.diff_ids.map { try Digest(parsing: $0) }
            guard diffIDs.count == entry.Layers.count else {
                throw ImageStoreError.invalidImage(path: manifestPath, reason: "\(diffIDs.count) diff_ids for \(entry.Layers.count) layers")
            }
            var layers: [OCI.Descriptor] = []
            for (file, diffID) in zip(entry.Layers, diffIDs) {
                let (digest, size) = try stageFile(file)
                let path = try blob(digest)
                try unpackLayer(path, diffID: diffID, digest: digest.description)
                let gzip = Self.isGzip(path)
                layers.append(.init(mediaType: gzip ? OCI.MediaType.layerGzip : OCI.MediaType.layer,
                                    digest: digest.description, size: size))
            }
            let manifest = OCI.Manifest(
                schemaVersion: 2, mediaType: OCI.MediaType.manifest,
                config: .init(mediaType: OCI.MediaType.config, digest: configDigest.description, size: configSize),
                layers: layers)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let data = try encoder.encode(manifest)
            let digest = Digest(of: data)
            if store.blobPath(digest) != (try? blob(digest)) || staged[digest] == nil {
                let path = staging + "/" + digest.hex
                try FileSystem.writeAtomically(data, to: path)
                staged[digest] = path
            }
            let names = try (entry.RepoTags ?? []).map { try ImageReference(parsing: $0).description }
            images.append((names, digest))
        }
        return images
    }

    /// Hashes a file of the archive (named relative to it) into staging; returns digest and size.
    mutating func stageFile(_ relative: String) throws -> (Digest, Int64) {
        let components = try LayerUnpacker.cleanComponents(relative)
        let path = try sourceFile(components.joined(separator: "/"))
        guard FileSystem.fileType(path) == S_IFREG else {
            throw ImageStoreError.invalidImage(path: path, reason: "missing file named by manifest.json")
        }
        let temporary = staging + "/.incoming"
        defer { unlink(temporary) }
        let (digest, size) = try Digest.hashFile(path, copyingTo: temporary)
        if staged[digest] == nil && !FileSystem.exists(store.blobPath(digest)) {
            let final = staging + "/" + digest.hex
            try FileSystem.rename(temporary, final)
            staged[digest] = final
        }
        return (digest, size)
    }

    static func isGzip(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let magic = (try? handle.read(upToCount: 2)) ?? Data()
        return magic == Data([0x1f, 0x8b])
    }

    // MARK: Blobs

    /// Where blob `digest` is now: already in the store, or staged by this load.
    func blob(_ digest: Digest) throws -> String {
        if let path = staged[digest] { return path }
        let path = store.blobPath(digest)
        guard FileSystem.exists(path) else {
            throw ImageStoreError.invalidImage(path: source, reason: "blob \(digest) missing")
        }
        return path
    }

    /// Verifies the source's blob for `descriptor` (digest and size) into staging, unless the
    /// store has it already. Returns the path to read it from.
    mutating func stage(_ descriptor: OCI.Descriptor) throws -> String {
        let digest = try Digest(parsing: descriptor.digest)
        if let path = staged[digest] { return path }
        let stored = store.blobPath(digest)
        if FileSystem.exists(stored) { return stored }
        let path = try sourceFile("blobs/sha256/" + digest.hex)
        guard FileSystem.fileType(path) == S_IFREG else {
            throw ImageStoreError.invalidImage(path: path, reason: "blob \(digest) missing from the layout")
        }
        let temporary = staging + "/" + digest.hex + ".incoming"
        do {
            let (actual, size) = try Digest.hashFile(path, copyingTo: temporary)
            guard actual == digest else {
                throw ImageStoreError.digestMismatch(path: path, expected: digest.description, actual: actual.description)
            }
            guard size == descriptor.size else {
                throw ImageStoreError.sizeMismatch(path: path, expected: descriptor.size, actual: size)
            }
            let final = staging + "/" + digest.hex
            try FileSystem.rename(temporary, final)
            staged[digest] = final
            return final
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Moves every staged blob into the store (rename: each appears whole or not at all).
    func commitBlobs() throws {
        for (digest, path) in staged.sorted(by: { $0.key.hex < $1.key.hex }) {
            let destination = store.blobPath(digest)
            if FileSystem.exists(destination) { continue }
            chmod(path, 0o644)
            try FileSystem.rename(path, destination)
        }
    }
}
