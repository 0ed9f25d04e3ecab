import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small POSIX file helpers with errors that name the step and path.
enum FileSystem {
    static func fileType(_ path: String) -> mode_t? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        return st.st_mode & S_IFMT
    }

    static func exists(_ path: String) -> Bool { fileType(path) != nil }
    static func isDirectory(_ path: String) -> Bool { fileType(path) == S_IFDIR }

    /// `mkdir -p`.
    static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws {
        if isDirectory(path) { return }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path { try makeDirectories(parent, mode: mode) }
        if mkdir(path, mode) != 0 && errno != EEXIST {
            throw ImageStoreError.system(step: "mkdir", path: path, errno: errno)
        }
    }

    /// A new, empty, uniquely named directory under `parent`.
    static func makeTemporaryDirectory(in parent: String, prefix: String) throws -> String {
        var template = Array("\(parent)/\(prefix)XXXXXX".utf8CString)
        let made: String? = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) }
        }
        guard let made else {
            throw ImageStoreError.system(step: "mkdtemp", path: parent, errno: errno)
        }
        return made
    }

    static func rename(_ from: String, _ to: String) throws {
        if Glibc.rename(from, to) != 0 {
            throw ImageStoreError.system(step: "rename", path: "\(from) -> \(to)", errno: errno)
        }
    }

    /// `rm -rf`, also for trees with read-only directories.
    static func removeTree(_ path: String) throws {
        guard let type = fileType(path) else { return }
        if type == S_IFDIR {
            chmod(path, 0o700)
            let entries = (try? directoryEntries(path)) ?? []
            for entry in entries { try removeTree(path + "/" + entry) }
            if rmdir(path) != 0 && errno != ENOENT {
                throw ImageStoreError.system(step: "rmdir", path: path, errno: errno)
            }
        } else if unlink(path) != 0 && errno != ENOENT {
            throw ImageStoreError.system(step: "unlink", path: path, errno: errno)
        }
    }

    static func read(_ path: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImageStoreError.system(step: "read", path: path, errno: errno == 0 ? ENOENT : errno)
        }
        return data
    }

    /// Writes `data` to `path` through a temp file in the same directory, fsync and rename:
    /// readers see the old content or the new one, never a part.
    static func writeAtomically(_ data: Data, to path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        let tmp = "\(dir)/.tmp-\(UUID().uuidString)"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ImageStoreError.system(step: "open", path: tmp, errno: errno) }
        var closed = false
        do {
            try data.withUnsafeBytes { try writeAll(fd, $0, path: tmp) }
            guard fsync(fd) == 0 else { throw ImageStoreError.system(step: "fsync", path: tmp, errno: errno) }
            close(fd)
            closed = true
            try rename(tmp, path)
        } catch {
            if !closed { close(fd) }
            unlink(tmp)
            throw error
        }
    }
}

extension FileSystem {
    static func directoryEntries(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            throw ImageStoreError.system(step: "opendir", path: path, errno: errno)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}

extension FileSystem {
    static func size(_ path: String) -> Int? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int(st.st_size)
    }
}
