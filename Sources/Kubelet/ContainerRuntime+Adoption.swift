import CNamespaces
import Foundation
import Glibc

/// What a supervised runtime keeps on disk for each container (`<container dir>/state.json`),
/// so a later runtime process can find it again.
struct ContainerRecordFile: Codable, Sendable {
    var spec: ContainerSpec
    var pid: Int32
    /// `cn_process_start_time`: with the pid, names the process for good.
    var startTime: Int64
}

/// A container an earlier runtime process started, as `adopt()` found it.
public struct AdoptedContainer: Sendable {
    public var spec: ContainerSpec
    public var state: ContainerState
}

extension ContainerRuntime {
    nonisolated func recordPath(_ id: String) -> String { directory(of: id) + "/state.json" }

    func writeRecord(_ spec: ContainerSpec, pid: pid_t) {
        let record = ContainerRecordFile(spec: spec, pid: pid, startTime: cn_process_start_time(pid))
        guard let data = try? JSONEncoder().encode(record) else { return }
        try? data.write(to: URL(fileURLWithPath: recordPath(spec.id)), options: .atomic)
    }

    nonisolated func readRecord(_ id: String) -> ContainerRecordFile? {
        guard let data = FileManager.default.contents(atPath: recordPath(id)) else { return nil }
        return try? JSONDecoder().decode(ContainerRecordFile.self, from: data)
    }

    /// The status the supervisor wrote when it reaped the container's process, if it did.
    static func supervisorExit(_ record: ContainerRecordFile, exitsDirectory: String, consume: Bool) -> ContainerExitStatus? {
        let path = "\(exitsDirectory)/\(record.pid).\(record.startTime)"
        guard let text = readSmallFile(path) else { return nil }
        if consume { unlink(path) }
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard words.count == 2, let code = Int32(words[1]) else { return nil }
        return words[0] == "exited" ? ContainerExitStatus(exitCode: code) : ContainerExitStatus(exitCode: 128 + code, signal: code)
    }

    /// Finds the containers an earlier runtime process left (from their records): running ones
    /// are watched again and get their log pipes back from the supervisor; ended ones report the
    /// status the supervisor recorded (exit code 255 when nobody saw the end). Exit records of
    /// processes no container claims are deleted. Call before creating containers.
    public func adopt() -> [AdoptedContainer] {
        var adopted: [AdoptedContainer] = []
        var claimed: Set<String> = []
        let ids = (try? FileManager.default.contentsOfDirectory(atPath: containersDirectory)) ?? []
        for id in ids.sorted() where containers[id] == nil {
            guard let record = readRecord(id) else { continue }
            claimed.insert("\(record.pid).\(record.startTime)")
            let entry = Entry(spec: record.spec)
            if case .overlay(let layers) = record.spec.rootfs {
                entry.overlay = OverlayRootfs(layers: layers, directory: directory(of: id))
            }
            if record.spec.resources != nil, let layout = cgroupLayout {
                entry.cgroup = Cgroup(layout: layout, parent: cgroupParent, id: id)
            }
            let pidfd = cn_process_start_time(record.pid) == record.startTime ? cn_pidfd_open(record.pid) : -1
            if pidfd >= 0, cn_process_start_time(record.pid) == record.startTime {
                entry.process = SpawnedProcess(pid: record.pid, pidfd: pidfd, spawnNanoseconds: 0)
                entry.state = .running(pid: record.pid)
                if record.spec.stdio == .logFile {
                    let path = record.spec.logPath ?? directory(of: id) + "/container.log"
                    entry.log = try? LogWriter(path: path)
                    if let log = entry.log, let fds = try? supervisor?.take(id: id), fds.count == 2 {
                        try? log.attach(stdout: fds[0], stderr: fds[1])
                    }
                }
                containers[id] = entry
                do {
                    try watchExit(id: id, pidfd: pidfd)
                } catch {
                    entry.state = .exited(ContainerExitStatus(exitCode: 255))
                }
            } else {
                if pidfd >= 0 { close(pidfd) }
                entry.state = .exited(Self.supervisorExit(record, exitsDirectory: exitsDirectory, consume: true) ?? ContainerExitStatus(exitCode: 255))
                containers[id] = entry
            }
            adopted.append(AdoptedContainer(spec: record.spec, state: entry.state))
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: exitsDirectory)) ?? [] where !claimed.contains(name) {
            unlink(exitsDirectory + "/" + name)
        }
        return adopted
    }
}
