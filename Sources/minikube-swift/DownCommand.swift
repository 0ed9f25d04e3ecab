import ArgumentParser
import Foundation
import ServiceProxy

/// `minikube-swift down`: stops the running `up` (SIGTERM to the PID in its pid file only): it
/// stops every pod gracefully and removes their netns, veths, the bridge, routes, mounts and
/// cgroups, and the Service proxy's nftables table (removed here too, in case the node process
/// could not). The store and PV data stay; `--purge` also deletes the data dir.
struct DownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down", abstract: "Stop the cluster: pods stop, the node network goes; the store and PV data stay.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Also delete the data dir (store, certificates, images, logs). hostPath and PV data are never deleted.")
    var purge = false

    func run() async throws {
        if let pid = PIDFile.runningPID(dataDir: global.dataDir) {
            guard kill(pid, SIGTERM) == 0 else {
                throw ValidationError("kill(\(pid), SIGTERM): \(String(cString: strerror(errno)))")
            }
            var stopped = false
            for _ in 0..<600 {
                if kill(pid, 0) != 0 {
                    stopped = true
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            guard stopped else { throw ValidationError("minikube-swift (pid \(pid)) did not stop within 60 s") }
            print("minikube-swift: stopped (pid \(pid))")
        } else {
            print("minikube-swift is not running")
        }
        await ServiceProxy.cleanUp(configuration: ServiceProxyConfiguration())
        if purge { try purgeDataDirectory() }
    }

    /// Deletes the data dir, refusing anything that does not look like one (a data dir holds
    /// `state.db` or `pki`) and anything still mounted inside it.
    func purgeDataDirectory() throws {
        let path = URL(fileURLWithPath: global.dataDir).standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: path) else { return }
        guard path != "/", ["state.db", "pki", "images"].contains(where: { FileManager.default.fileExists(atPath: path + "/" + $0) }) else {
            throw ValidationError("\(path) does not look like a minikube-swift data dir; not deleting it")
        }
        let mounts = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { continue }
            let mountPoint = String(fields[4])
            if mountPoint == path || mountPoint.hasPrefix(path + "/") {
                throw ValidationError("\(mountPoint) is still mounted; not deleting \(path)")
            }
        }
        try FileManager.default.removeItem(atPath: path)
        print("minikube-swift: deleted \(path)")
    }
}
