import Foundation
import Crypto
@testable import ImageStore

/// A temporary directory removed at deinit.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = try FileSystem.makeTemporaryDirectory(in: NSTemporaryDirectory().hasSuffix("/") ? String(NSTemporaryDirectory().dropLast()) : NSTemporaryDirectory(), prefix: "imagestore-test-")
    }

    func sub(_ name: String) throws -> String {
        let p = path + "/" + name
        try FileSystem.makeDirectories(p)
        return p
    }

    deinit { try? FileSystem.removeTree(path) }
}

func sha256Hex(_ data: Data) -> String {
    SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
}

func contents(_ path: String) -> String? {
    FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
}

func fileExists(_ path: String) -> Bool { FileSystem.exists(path) }

/// Builds an OCI image layout by hand, one image per `addImage`.
struct LayoutBuilder {
    let path: String
    var manifests: [[String: Any]] = []

    init(path: String) throws {
        self.path = path
        try FileSystem.makeDirectories(path + "/blobs/sha256")
        try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: path + "/oci-layout"))
    }

    @discardableResult
    func blob(_ data: Data) throws -> (digest: String, size: Int) {
        let hex = sha256Hex(data)
        try data.write(to: URL(fileURLWithPath: path + "/blobs/sha256/" + hex))
        return ("sha256:" + hex, data.count)
    }

    func json(_ object: Any) throws -> Data {
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    /// Adds an image of uncompressed tar layers. `diffIDs` overrides the config's diff_ids.
    @discardableResult
    mutating func addImage(name: String?, layers: [Data], cmd: [String] = ["sh"],
                           diffIDs: [String]? = nil) throws -> String {
        var layerDescriptors: [[String: Any]] = []
        for layer in layers {
            let (digest, size) = try blob(layer)
            layerDescriptors.append(["mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": digest, "size": size])
        }
        let config: [String: Any] = [
            "architecture": OCI.hostArchitecture, "os": "linux",
            "config": ["Cmd": cmd, "Env": ["PATH=/bin"], "WorkingDir": "/srv", "User": "33:33"],
            "rootfs": ["type": "layers", "diff_ids": diffIDs ?? layers.map { "sha256:" + sha256Hex($0) }],
        ]
        let (configDigest, configSize) = try blob(try json(config))
        let manifest: [String: Any] = [
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": ["mediaType": "application/vnd.oci.image.config.v1+json", "digest": configDigest, "size": configSize],
            "layers": layerDescriptors,
        ]
        let (digest, size) = try blob(try json(manifest))
        var descriptor: [String: Any] = [
            "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest, "size": size,
        ]
        if let name { descriptor["annotations"] = ["org.opencontainers.image.ref.name": name] }
        manifests.append(descriptor)
        try json(["schemaVersion": 2, "manifests": manifests]).write(to: URL(fileURLWithPath: path + "/index.json"))
        return digest
    }
}

/// Everything the store holds on disk (blob names, layer dirs, staging leftovers, refs).
func storeContents(_ root: String) throws -> (blobs: [String], layers: [String], tmp: [String], refs: String?) {
    (try FileSystem.directoryEntries(root + "/blobs/sha256"),
     try FileSystem.directoryEntries(root + "/layers/sha256"),
     try FileSystem.directoryEntries(root + "/tmp"),
     contents(root + "/refs.json"))
}
