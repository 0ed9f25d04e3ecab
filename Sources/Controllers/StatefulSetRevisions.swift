import Foundation
import KubeModel

/// ControllerRevisions of a StatefulSet: the template each revision stands for and the name
/// it is stored under (`<set>-<hash>`, the `controller-revision-hash` label of its pods).
public enum StatefulSetRevisions {
    /// What a revision stores: a patch that replaces the set's template.
    public static func data(template: JSONValue) -> JSONValue {
        var template = template
        template["$patch"] = "replace"
        if case .null = template { template = ["$patch": "replace"] }
        return ["spec": ["template": template]]
    }

    /// The template a revision stands for.
    public static func template(from revision: ControllerRevision) -> JSONValue? {
        guard var template = revision.data?[path: ["spec", "template"]] else { return nil }
        if case .object(var members) = template {
            members["$patch"] = nil
            template = .object(members)
        }
        return template
    }

    /// A short stable hash of the template and the collision count, spelled with the letters
    /// Kubernetes uses for generated names (no vowels, no look-alike digits).
    public static func hash(template: JSONValue, collisionCount: Int32) -> String {
        var hash: UInt32 = 2_166_136_261
        func add(_ bytes: some Sequence<UInt8>) {
            for byte in bytes {
                hash ^= UInt32(byte)
                hash = hash &* 16_777_619
            }
        }
        add(Array((try? template.jsonData()) ?? Data()))
        if collisionCount > 0 { add(withUnsafeBytes(of: collisionCount.littleEndian) { Array($0) }) }
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String(String(hash).utf8.map { alphabet[Int($0) % alphabet.count] })
    }
}
