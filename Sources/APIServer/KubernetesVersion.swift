import Foundation
import KubeModel

/// The version `/version` reports. kubectl's dispatcher runs `kubectl.1.<minor>` from it.
public struct KubernetesVersion: Sendable, Hashable {
    public var major: Int
    public var minor: Int
    public var patch: Int

    public init(major: Int = 1, minor: Int = 33, patch: Int = 0) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    public var gitVersion: String { "v\(major).\(minor).\(patch)" }

    var json: JSONValue {
        .object([
            "major": .string(String(major)), "minor": .string(String(minor)), "gitVersion": .string(gitVersion),
            "gitCommit": .string("minikube-swift"), "gitTreeState": .string("clean"),
            "buildDate": .string("2026-01-01T00:00:00Z"), "goVersion": .string("go1.24.0"), "compiler": .string("gc"),
            "platform": .string("linux/amd64"),
        ])
    }
}
