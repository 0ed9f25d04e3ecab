import Foundation

/// The seed's manifests (StorageClass, PVs, headless Service, StatefulSet), unchanged: the files
/// in examples/seed/.
enum SeedManifests {
    static func file(_ name: String) -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("examples/seed/" + name), encoding: .utf8)) ?? ""
    }

    static var storageClass: String { file("storageclass.yaml") }
    static var persistentVolumes: String { file("pv.yaml") }
    static var web: String { file("web.yaml") }
    static var all: String { [storageClass, persistentVolumes, web].joined(separator: "\n---\n") }
}
