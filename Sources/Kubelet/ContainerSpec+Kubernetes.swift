import Glibc
import KubeModel

extension ContainerSpec {
    /// The default `PATH` when neither the image nor the container sets one (containerd's).
    public static let defaultPath =
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// The argv Kubernetes runs, from the image's `Entrypoint`/`Cmd` and the container's
    /// `command`/`args`:
    /// - neither `command` nor `args`: `Entrypoint + Cmd`;
    /// - `command` only: `command` (the image's `Cmd` is ignored too);
    /// - `args` only: `Entrypoint + args`;
    /// - both: `command + args`.
    public static func processArgs(entrypoint: [String]?, cmd: [String]?,
                                   command: [String], args: [String]) -> [String] {
        if !command.isEmpty { return command + args }
        if !args.isEmpty { return (entrypoint ?? []) + args }
        return (entrypoint ?? []) + (cmd ?? [])
    }

    /// The environment: the image's, overridden by the container's by name, then `PATH` and
    /// `HOSTNAME` when missing. Order: image entries first (in their order), then new ones.
    public static func environment(image: [String], container: [String],
                                   hostname: String?) -> [String] {
        var keys: [String] = []
        var values: [String: String] = [:]
        for entry in image + container {
            let key = String(entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0])
            if values[key] == nil { keys.append(key) }
            values[key] = entry
        }
        var env = keys.compactMap { values[$0] }
        if values["PATH"] == nil { env.append(defaultPath) }
        if let hostname, values["HOSTNAME"] == nil { env.append("HOSTNAME=\(hostname)") }
        return env
    }

    /// The working directory: the container's `workingDir`, else the image's, else `/`.
    public static func workingDirectory(image: String?, container: String?) -> String {
        if let container, !container.isEmpty { return container }
        if let image, !image.isEmpty { return image }
        return "/"
    }

    /// The paths `execve` tries for `argv0`: itself when it has a `/`, else each `PATH` entry.
    public static func execCandidates(argv0: String, env: [String]) -> [String] {
        if argv0.contains("/") { return [argv0] }
        let pathEntry = env.last(where: { $0.hasPrefix("PATH=") }) ?? defaultPath
        return pathEntry.dropFirst(5).split(separator: ":", omittingEmptySubsequences: false).map {
            let dir = $0.isEmpty ? "." : String($0)
            return dir.hasSuffix("/") ? dir + argv0 : dir + "/" + argv0
        }
    }
}

extension ContainerSpec.User {
    /// Resolves an image's or a pod's user: `uid`, `uid:gid`, `name`, `name:group`, looked up in
    /// the root filesystem's `/etc/passwd` and `/etc/group` (the topmost layer that has them).
    /// The additional groups are the user's groups in `/etc/group`. A numeric uid with no
    /// passwd entry gets gid 0, as runc does.
    public static func resolve(_ user: String?, roots: [String]) throws(SpawnError) -> ContainerSpec.User {
        guard let user, !user.isEmpty else { return .root }
        let parts = user.split(separator: ":", maxSplits: 1).map(String.init)
        let passwd = Self.readDatabase("etc/passwd", roots: roots)
        let groups = Self.readDatabase("etc/group", roots: roots)
        let uid: UInt32
        var gid: UInt32 = 0
        var name: String?
        if let n = UInt32(parts[0]) {
            uid = n
            if let entry = passwd.first(where: { $0.count > 3 && $0[2] == parts[0] }) {
                name = entry[0]
                gid = UInt32(entry[3]) ?? 0
            }
        } else if let entry = passwd.first(where: { $0.count > 3 && $0[0] == parts[0] }),
                  let u = UInt32(entry[2]) {
            uid = u
            name = entry[0]
            gid = UInt32(entry[3]) ?? 0
        } else {
            throw SpawnError(step: "resolve user \(parts[0]) in /etc/passwd", errno: ENOENT)
        }
        if parts.count == 2 {
            if let g = UInt32(parts[1]) {
                gid = g
            } else if let entry = groups.first(where: { $0.count > 2 && $0[0] == parts[1] }),
                      let g = UInt32(entry[2]) {
                gid = g
            } else {
                throw SpawnError(step: "resolve group \(parts[1]) in /etc/group", errno: ENOENT)
            }
        }
        var additional: [UInt32] = []
        if let name {
            for entry in groups where entry.count > 3 {
                let members = entry[3].split(separator: ",").map(String.init)
                if members.contains(name), let g = UInt32(entry[2]), g != gid, !additional.contains(g) {
                    additional.append(g)
                }
            }
        }
        return ContainerSpec.User(uid: uid, gid: gid, additionalGids: additional)
    }

    /// Colon-separated records of the first root (searched last to first) holding `relative`.
    /// Symlinks are not followed: an image cannot point the runtime at a host file.
    static func readDatabase(_ relative: String, roots: [String]) -> [[String]] {
        for root in roots.reversed() {
            let path = root + "/" + relative
            var st = stat()
            guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
            guard let text = readSmallFile(path) else { continue }
            return text.split(separator: "\n").map {
                $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            }
        }
        return []
    }
}

extension ResourceLimits {
    /// A Kubernetes memory quantity (`64Mi`, `1G`, `128974848`, `129e6`) in bytes, as KubeModel's
    /// `Quantity` reads it; nil when it is not one or is negative.
    public static func bytes(fromQuantity q: String) -> Int64? {
        guard let quantity = try? Quantity(parsing: q), !quantity.isNegative else { return nil }
        return quantity.value
    }

    /// A Kubernetes CPU quantity (`500m`, `0.5`, `2`) in millicores.
    public static func millicores(fromQuantity q: String) -> Int64? {
        guard let quantity = try? Quantity(parsing: q), !quantity.isNegative else { return nil }
        return quantity.milliValue
    }
}

/// Reads a small text file (≤ 1 MiB), nil on any error.
func readSmallFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 8192)
    while bytes.count < 1 << 20 {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        bytes.append(contentsOf: buffer[0..<n])
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Writes a string to an existing file (cgroup knobs), throwing the step and errno.
func writeFile(_ path: String, _ value: String) throws(SpawnError) {
    let fd = open(path, O_WRONLY | O_CLOEXEC)
    guard fd >= 0 else { throw SpawnError.last("open \(path)") }
    defer { close(fd) }
    let n = value.withCString { write(fd, $0, strlen($0)) }
    guard n >= 0 else { throw SpawnError.last("write \(path) \(value)") }
}
