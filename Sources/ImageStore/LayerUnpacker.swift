import CArchive
import Crypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Extracts a layer tarball (plain, gzip, zstd, …) into a directory, entry by entry,
/// never writing outside it:
/// - names are cleaned: leading `/` and `./` are dropped (umoci writes `/etc/…`), `..` is refused;
/// - no entry, hard-link target or whiteout may pass through a symlink inside the root
///   (checked here with lstat, and by libarchive's `ARCHIVE_EXTRACT_SECURE_*` flags);
/// - OCI whiteouts (`.wh.NAME`, `.wh..wh..opq`) become overlayfs markers (`.overlay`) or are
///   applied by deleting from what lower layers left in the same directory (`.apply`).
struct LayerUnpacker: Sendable {
    enum WhiteoutMode: Sendable {
        /// Whiteouts become overlayfs markers: a 0:0 character device, or
        /// `trusted.overlay.opaque=y` on the directory. Needs root.
        case overlay
        /// Whiteouts delete what lower layers put in `root` (a flattened rootfs).
        case apply
    }

    static let whiteoutPrefix = ".wh."
    static let opaqueWhiteout = ".wh..wh..opq"

    var whiteouts: WhiteoutMode
    /// Restore numeric owners (root only).
    var preserveOwners: Bool
    /// Create device nodes (root only); without it they are skipped.
    var createDevices: Bool

    init(whiteouts: WhiteoutMode, privileged: Bool = geteuid() == 0) {
        self.whiteouts = whiteouts
        self.preserveOwners = privileged
        self.createDevices = privileged
    }

    /// The path components of an entry name, with `/`, `./` prefixes and `.` components dropped.
    /// Throws `unsafePath` for `..`.
    static func cleanComponents(_ name: String) throws -> [String] {
        var components: [String] = []
        for part in name.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                throw ImageStoreError.unsafePath(entry: name, reason: "'..' component")
            }
            components.append(String(part))
        }
        return components
    }

    /// Extracts `archivePath` into the existing directory `root`.
    func unpack(_ archivePath: String, into root: String) throws {
        guard let real = realpath(root, nil) else {
            throw ImageStoreError.system(step: "realpath", path: root, errno: errno)
        }
        let root = String(cString: real)
        free(real)

        var status: Int32 = 0
        guard let reader = carchive_open_tar(archivePath, &status) else {
            throw ImageStoreError.archive(step: "archive_read_new", path: archivePath, message: "out of memory")
        }
        defer { archive_read_free(reader) }
        guard status == ARCHIVE_OK else {
            throw ImageStoreError.archive(step: "open", path: archivePath, message: Self.message(reader))
        }

        var flags = ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR
            | ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT
        if preserveOwners { flags |= ARCHIVE_EXTRACT_OWNER }
        guard let writer = carchive_disk_writer(flags) else {
            throw ImageStoreError.archive(step: "archive_write_disk_new", path: root, message: "out of memory")
        }
        defer { archive_write_free(writer) }

        var state = State(root: root)
        var entry: OpaquePointer?
        while true {
            let r = archive_read_next_header(reader, &entry)
            if r == ARCHIVE_EOF { break }
            guard r >= ARCHIVE_WARN, let entry else {
                throw ImageStoreError.archive(step: "read entry", path: archivePath, message: Self.message(reader))
            }
            try extract(entry, reader: reader, writer: writer, state: &state, archivePath: archivePath)
        }
        if archive_write_close(writer) < ARCHIVE_WARN {
            throw ImageStoreError.archive(step: "finish", path: root, message: Self.message(writer))
        }
    }

    /// The diff ID of a layer blob: sha256 of its decompressed tar stream.
    static func diffID(of archivePath: String) throws -> Digest {
        var status: Int32 = 0
        guard let reader = carchive_open_raw(archivePath, &status) else {
            throw ImageStoreError.archive(step: "archive_read_new", path: archivePath, message: "out of memory")
        }
        defer { archive_read_free(reader) }
        guard status == ARCHIVE_OK else {
            throw ImageStoreError.archive(step: "open", path: archivePath, message: message(reader))
        }
        var hasher = SHA256()
        var entry: OpaquePointer?
        let r = archive_read_next_header(reader, &entry)
        if r == ARCHIVE_EOF { return Digest(hasher.finalize()) }
        guard r >= ARCHIVE_WARN else {
            throw ImageStoreError.archive(step: "decompress", path: archivePath, message: message(reader))
        }
        let size = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = archive_read_data(reader, buffer.baseAddress, size)
            if n == 0 { break }
            guard n > 0 else {
                throw ImageStoreError.archive(step: "decompress", path: archivePath, message: message(reader))
            }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        return Digest(hasher.finalize())
    }

    // MARK: - Entries

    private struct State {
        let root: String
        /// Paths (relative, cleaned) this layer wrote, so an opaque whiteout in `.apply`
        /// mode removes only what lower layers left.
        var written: Set<String> = []
    }

    private func extract(_ entry: OpaquePointer, reader: OpaquePointer, writer: OpaquePointer,
                         state: inout State, archivePath: String) throws {
        guard let cName = archive_entry_pathname(entry) else {
            throw ImageStoreError.unsafePath(entry: "", reason: "entry without a name")
        }
        let name = String(cString: cName)
        let components = try Self.cleanComponents(name)
        guard let base = components.last else { return }  // the root itself
        let relative = components.joined(separator: "/")
        let root = state.root

        if base.hasPrefix(Self.whiteoutPrefix) {
            try whiteout(name: name, components: components, state: &state)
            return
        }
        try checkParents(components, root: root, entry: name)
        let kind = carchive_entry_kind(entry)
        if (kind == CARCHIVE_KIND_CHARDEV || kind == CARCHIVE_KIND_BLOCKDEV) && !createDevices {
            return
        }
        let target = root + "/" + relative

        // Replace what is there (a lower layer's file in `.apply` mode, an earlier entry):
        // never follow a symlink, and a directory stays only when a directory replaces it.
        if let existing = FileSystem.fileType(target) {
            let isDirectoryEntry = kind == CARCHIVE_KIND_DIRECTORY && archive_entry_hardlink(entry) == nil
            if existing == S_IFDIR {
                if !isDirectoryEntry { try FileSystem.removeTree(target) }
            } else if unlink(target) != 0 {
                throw ImageStoreError.system(step: "unlink", path: target, errno: errno)
            }
        }

        if let cLink = archive_entry_hardlink(entry) {
            let link = String(cString: cLink)
            let linkComponents = try Self.cleanComponents(link)
            guard !linkComponents.isEmpty else {
                throw ImageStoreError.unsafePath(entry: name, reason: "hard link to the root")
            }
            try checkParents(linkComponents, root: root, entry: name)
            archive_entry_set_hardlink(entry, root + "/" + linkComponents.joined(separator: "/"))
        }
        archive_entry_set_pathname(entry, target)

        if archive_write_header(writer, entry) < ARCHIVE_WARN {
            throw ImageStoreError.archive(step: "extract", path: name, message: Self.message(writer))
        }
        if archive_entry_size(entry) > 0 {
            var which: Int32 = 0
            if carchive_copy_data(reader, writer, &which) < ARCHIVE_WARN {
                let failing = which == 0 ? reader : writer
                throw ImageStoreError.archive(step: which == 0 ? "read" : "write", path: name,
                                              message: Self.message(failing))
            }
        }
        if archive_write_finish_entry(writer) < ARCHIVE_WARN {
            throw ImageStoreError.archive(step: "extract", path: name, message: Self.message(writer))
        }
        state.written.insert(relative)
    }

    private func whiteout(name: String, components: [String], state: inout State) throws {
        let root = state.root
        let base = components[components.count - 1]
        let parentComponents = Array(components.dropLast())
        let parentRelative = parentComponents.joined(separator: "/")
        let parent = parentComponents.isEmpty ? root : root + "/" + parentRelative
        try checkParents(components, root: root, entry: name)

        if base == Self.opaqueWhiteout {
            switch whiteouts {
            case .overlay:
                try makeDirectories(parentComponents, root: root, entry: name)
                let err = carchive_make_opaque(parent)
                if err != 0 { throw ImageStoreError.system(step: "setxattr trusted.overlay.opaque", path: parent, errno: err) }
            case .apply:
                if FileSystem.isDirectory(parent) {
                    try prune(parent, relative: parentRelative, keeping: state.written)
                }
            }
            return
        }
        if base.hasPrefix(Self.whiteoutPrefix + Self.whiteoutPrefix) { return }  // other AUFS metadata
        let hidden = String(base.dropFirst(Self.whiteoutPrefix.count))
        guard !hidden.isEmpty, hidden != ".", hidden != ".." else {
            throw ImageStoreError.unsafePath(entry: name, reason: "whiteout of '\(hidden)'")
        }
        let target = parent + "/" + hidden
        switch whiteouts {
        case .overlay:
            try makeDirectories(parentComponents, root: root, entry: name)
            try FileSystem.removeTree(target)
            let err = carchive_make_whiteout(target)
            if err != 0 { throw ImageStoreError.system(step: "mknod whiteout", path: target, errno: err) }
        case .apply:
            try FileSystem.removeTree(target)
        }
    }

    /// Removes everything under `dir` that this layer did not write.
    private func prune(_ dir: String, relative: String, keeping written: Set<String>) throws {
        let names = (try? FileSystem.directoryEntries(dir)) ?? []
        for child in names {
            let childRelative = relative.isEmpty ? child : relative + "/" + child
            let path = dir + "/" + child
            if !written.contains(childRelative) {
                try FileSystem.removeTree(path)
            } else if FileSystem.isDirectory(path) {
                try prune(path, relative: childRelative, keeping: written)
            }
        }
    }

    /// Throws when a parent of `components` inside `root` is a symlink (or not a directory):
    /// writing through it could land outside the root.
    private func checkParents(_ components: [String], root: String, entry: String) throws {
        var path = root
        for component in components.dropLast() {
            path += "/" + component
            guard let type = FileSystem.fileType(path) else { return }  // created fresh below
            if type == S_IFLNK {
                throw ImageStoreError.unsafePath(entry: entry, reason: "parent \(component) is a symlink")
            }
            if type != S_IFDIR {
                throw ImageStoreError.unsafePath(entry: entry, reason: "parent \(component) is not a directory")
            }
        }
    }

    private func makeDirectories(_ components: [String], root: String, entry: String) throws {
        var path = root
        for component in components {
            path += "/" + component
            if mkdir(path, 0o755) != 0 && errno != EEXIST {
                throw ImageStoreError.system(step: "mkdir", path: path, errno: errno)
            }
            if FileSystem.fileType(path) != S_IFDIR {
                throw ImageStoreError.unsafePath(entry: entry, reason: "\(component) is not a directory")
            }
        }
    }

    static func message(_ archive: OpaquePointer) -> String {
        if let s = archive_error_string(archive) { return String(cString: s) }
        return "libarchive error \(archive_errno(archive))"
    }
}
