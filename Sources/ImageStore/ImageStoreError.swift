/// Errors of the image store. Each names the failing step and the path or reference involved.
public enum ImageStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The reference does not parse as a Docker/OCI image reference.
    case invalidReference(String, reason: String)
    /// No image in the store answers to this reference.
    case notFound(String)
    /// A blob's content does not hash to the digest that names it.
    case digestMismatch(path: String, expected: String, actual: String)
    /// A blob's length differs from its descriptor's size.
    case sizeMismatch(path: String, expected: Int64, actual: Int64)
    /// An archive entry would land outside the extraction root (or traverse a symlink).
    case unsafePath(entry: String, reason: String)
    /// The input is not a usable OCI layout, OCI archive or `docker save` archive.
    case invalidImage(path: String, reason: String)
    /// A media type or platform the store does not handle.
    case unsupported(String)
    /// libarchive failed reading or writing an archive.
    case archive(step: String, path: String, message: String)
    /// A system call failed.
    case system(step: String, path: String, errno: Int32)

    public var description: String {
        switch self {
        case let .invalidReference(ref, reason):
            return "invalid image reference \"\(ref)\": \(reason)"
        case let .notFound(ref):
            return "image \"\(ref)\" not found"
        case let .digestMismatch(path, expected, actual):
            return "digest mismatch for \(path): expected \(expected), got \(actual)"
        case let .sizeMismatch(path, expected, actual):
            return "size mismatch for \(path): expected \(expected) bytes, got \(actual)"
        case let .unsafePath(entry, reason):
            return "unsafe archive entry \"\(entry)\": \(reason)"
        case let .invalidImage(path, reason):
            return "invalid image at \(path): \(reason)"
        case let .unsupported(what):
            return "unsupported: \(what)"
        case let .archive(step, path, message):
            return "\(step)(\(path)): \(message)"
        case let .system(step, path, errno):
            return "\(step)(\(path)): \(errnoName(errno))"
        }
    }
}

/// `ENOENT`-style name of an errno value, falling back to the number.
func errnoName(_ code: Int32) -> String {
    let names: [Int32: String] = [
        1: "EPERM", 2: "ENOENT", 5: "EIO", 9: "EBADF", 12: "ENOMEM", 13: "EACCES", 16: "EBUSY",
        17: "EEXIST", 18: "EXDEV", 20: "ENOTDIR", 21: "EISDIR", 22: "EINVAL", 28: "ENOSPC",
        30: "EROFS", 36: "ENAMETOOLONG", 39: "ENOTEMPTY", 40: "ELOOP", 61: "ENODATA", 95: "EOPNOTSUPP",
    ]
    return names[code] ?? "errno \(code)"
}
