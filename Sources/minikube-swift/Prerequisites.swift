import ArgumentParser
import Foundation
import ImageStore
import Kubelet

/// What `up` needs from the machine, checked first with a clear message each.
enum Prerequisites {
    static func check() throws {
        var problems: [String] = []
        if getuid() != 0 { problems.append("run as root: sudo minikube-swift up") }
        for namespace in ["uts", "pid", "mnt", "ipc", "net"]
        where !FileManager.default.fileExists(atPath: "/proc/self/ns/\(namespace)") {
            problems.append("the kernel lacks \(namespace) namespaces (/proc/self/ns/\(namespace))")
        }
        let filesystems = (try? String(contentsOfFile: "/proc/filesystems", encoding: .utf8)) ?? ""
        if !filesystems.contains("overlay") {
            problems.append("the kernel lacks overlayfs: modprobe overlay")
        }
        if !FileManager.default.fileExists(atPath: "/sys/fs/cgroup") {
            problems.append("no cgroup filesystem at /sys/fs/cgroup")
        }
        let tools = [("ip", "iproute2"), ("nft", "nftables"), ("sysctl", "procps")]
        var missing: [String] = []
        for (tool, package) in tools
        where HostCommand.installed(tool) == nil {
            missing.append(package)
        }
        if !missing.isEmpty {
            problems.append("missing packages: sudo apt-get install -y \(missing.joined(separator: " "))")
        }
        if !problems.isEmpty {
            throw ValidationError("cannot start:\n  " + problems.joined(separator: "\n  "))
        }
    }
}

/// Loads the built-in images the store lacks, with a line of progress each.
enum ImageLoading {
    static func loadMissing(_ layouts: [String], dataDir: String) throws {
        guard !layouts.isEmpty else { return }
        let store = try ImageStore(root: dataDir + "/images")
        let present = Set(try store.list().map(\.reference))
        for layout in layouts {
            let loaded = try store.load(from: layout)
            let names = loaded.map(\.reference).filter { !present.contains($0) }
            if !names.isEmpty { print("minikube-swift: loaded \(names.joined(separator: ", ")) from \(layout)") }
        }
    }
}
