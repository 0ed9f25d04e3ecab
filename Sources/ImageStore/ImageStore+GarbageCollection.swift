import Foundation

extension ImageStore {
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
        for name in try FileSystem.directoryEntries(layersDirectory) where !layers.contains(name) {
            try FileSystem.removeTree(layersDirectory + "/" + name)
        }
    }
}
