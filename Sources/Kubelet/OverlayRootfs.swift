import Glibc

/// A container's writable root: image layers (read-only, lowest first) under a per-container
/// upper dir, at `<container dir>/{upper,work,rootfs}`. The overlay itself is mounted by the
/// container's child inside its own mount namespace, so it disappears with the container's
/// last process; `remove()` deletes the upper and work dirs.
public struct OverlayRootfs: Sendable, Equatable {
    public var layers: [String]
    public var directory: String

    public init(layers: [String], directory: String) {
        self.layers = layers
        self.directory = directory
    }

    public var upperDir: String { directory + "/upper" }
    public var workDir: String { directory + "/work" }
    /// The mount point (an empty directory on the host).
    public var mountPoint: String { directory + "/rootfs" }

    /// The overlay mount options: `lowerdir` lists the TOP layer first.
    public func mountOptions() throws(SpawnError) -> String {
        guard !layers.isEmpty else { throw SpawnError(step: "overlay: image has no layers", errno: EINVAL) }
        for path in layers + [upperDir, workDir] where path.contains(":") || path.contains(",") {
            throw SpawnError(step: "overlay: path \(path) contains ':' or ','", errno: EINVAL)
        }
        let options = "lowerdir=\(layers.reversed().joined(separator: ":")),upperdir=\(upperDir),workdir=\(workDir)"
        guard options.utf8.count < 4000 else {
            throw SpawnError(step: "overlay: \(layers.count) layers exceed the mount options page", errno: E2BIG)
        }
        return options
    }

    /// Creates the upper, work and mount point directories.
    public func create() throws(SpawnError) {
        try Cgroup.mkdirAll(directory)
        for dir in [upperDir, workDir, mountPoint] where mkdir(dir, 0o755) != 0 && errno != EEXIST {
            throw SpawnError.last("mkdir \(dir)")
        }
    }

    /// Deletes the container's directory (never crossing into a mount).
    public func remove() throws(SpawnError) {
        try removeTree(directory)
    }
}

/// `rm -rf` that stays on one filesystem and does not follow symlinks; EBUSY on a mount point.
func removeTree(_ path: String) throws(SpawnError) {
    var st = stat()
    if lstat(path, &st) != 0 {
        if errno == ENOENT { return }
        throw SpawnError.last("lstat \(path)")
    }
    guard (st.st_mode & S_IFMT) == S_IFDIR else {
        if unlink(path) != 0 && errno != ENOENT { throw SpawnError.last("unlink \(path)") }
        return
    }
    let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else { throw SpawnError.last("open \(path)") }
    try removeContents(fd, device: st.st_dev, path: path)
    if rmdir(path) != 0 && errno != ENOENT { throw SpawnError.last("rmdir \(path)") }
}

/// Removes everything inside the directory `fd` (consumed).
private func removeContents(_ fd: Int32, device: dev_t, path: String) throws(SpawnError) {
    guard let dir = fdopendir(fd) else {
        close(fd)
        throw SpawnError.last("fdopendir \(path)")
    }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        if name != "." && name != ".." { names.append(name) }
    }
    for name in names {
        var st = stat()
        guard fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            guard st.st_dev == device else {
                throw SpawnError(step: "remove \(path)/\(name): a mount point", errno: EBUSY)
            }
            let child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard child >= 0 else { throw SpawnError.last("open \(path)/\(name)") }
            try removeContents(child, device: device, path: path + "/" + name)
            if unlinkat(fd, name, AT_REMOVEDIR) != 0 && errno != ENOENT {
                throw SpawnError.last("rmdir \(path)/\(name)")
            }
        } else if unlinkat(fd, name, 0) != 0 && errno != ENOENT {
            throw SpawnError.last("unlink \(path)/\(name)")
        }
    }
}
