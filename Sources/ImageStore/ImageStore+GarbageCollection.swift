import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ImageStore {
    /// Deletes blobs and unpacked layers no image uses. A layer a mounted overlay still uses (in
    /// any mount namespace: containers mount their rootfs in their own) stays until a later
    /// collection finds it unused.
    public func collectGarbage() throws {
        try withExclusiveLock { try collectGarbage(refs: readRefs()) }
    }

    /// Deletes blobs and unpacked layers that no image in `refs` uses. Called with the lock held.
    func collectGarbage(refs: [String: String]) throws {
        var blobs: Set<String> = []
        var layers: Set<String> = []
        for digest in Set(refs.values) {
            guard let manifestDigest = try? Digest(parsing: digest) else { continue }
            blobs.insert(manifestDigest.hex)
            guard let manifest = try? decode(OCI.Manifest.self, at: blobPath(manifestDigest)) else { continue }
            for descriptor in [manifest.config] + manifest.layers {
                if let d = try? Digest(parsing: descriptor.digest) { blobs.insert(d.hex) }
            }
            guard let configDigest = try? Digest(parsing: manifest.config.digest),
                  let configuration = try? decode(OCI.ImageConfiguration.self, at: blobPath(configDigest))
            else { continue }
            for diffID in configuration.rootfs.diff_ids {
                if let d = try? Digest(parsing: diffID) { layers.insert(d.hex) }
            }
        }
        for name in try FileSystem.directoryEntries(blobsDirectory) where !blobs.contains(name) {
            try FileSystem.removeTree(blobsDirectory + "/" + name)
        }
        let unused = try FileSystem.directoryEntries(layersDirectory).filter { !layers.contains($0) }
        guard !unused.isEmpty else { return }
        let mounted = Self.layersInUse(under: layersDirectory)
        for name in unused where !mounted.contains(name) {
            try FileSystem.removeTree(layersDirectory + "/" + name)
        }
    }

    /// Names of the layer directories under `layersDirectory` that some overlay mount uses, in
    /// any mount namespace on the machine (each namespace's mountinfo is read once).
    static func layersInUse(under layersDirectory: String) -> Set<String> {
        let canonical = realpath(layersDirectory, nil).map { p in defer { free(p) }; return String(cString: p) } ?? layersDirectory
        let needle = canonical + "/"
        var seen: Set<String> = []
        var inUse: Set<String> = []
        for pid in (try? FileSystem.directoryEntries("/proc")) ?? [] where pid.allSatisfy(\.isNumber) {
            var buffer = [CChar](repeating: 0, count: 256)
            let n = readlink("/proc/\(pid)/ns/mnt", &buffer, buffer.count - 1)
            if n > 0 {
                let namespace = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if !seen.insert(namespace).inserted { continue }
            }
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/mountinfo") else { continue }
            let text = String(decoding: data, as: UTF8.self)
            for line in text.split(separator: "\n") where line.contains(" - overlay ") {
                var rest = line[...]
                while let range = rest.range(of: needle) {
                    let name = rest[range.upperBound...].prefix { $0.isHexDigit }
                    if name.count == 64 { inUse.insert(String(name)) }
                    rest = rest[range.upperBound...]
                }
            }
        }
        return inUse
    }
}
