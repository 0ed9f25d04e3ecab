import Crypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A content digest `sha256:<64 hex>`; the only algorithm the store accepts.
struct Digest: Hashable, Sendable, CustomStringConvertible {
    /// The 64 lowercase hex characters.
    let hex: String

    init(parsing string: String) throws {
        guard ImageReference.isValidDigest(string) else {
            throw ImageStoreError.unsupported("digest \"\(string)\" (only sha256:<64 lowercase hex>)")
        }
        hex = String(string.dropFirst(7))
    }

    init(hex: String) { self.hex = hex }

    init(of bytes: some Sequence<UInt8>) {
        var h = SHA256()
        h.update(data: Array(bytes))
        self.init(h.finalize())
    }

    init(_ digest: SHA256.Digest) {
        hex = digest.map { byte in
            let s = String(byte, radix: 16)
            return byte < 16 ? "0" + s : s
        }.joined()
    }

    var description: String { "sha256:\(hex)" }
    var short: String { String(hex.prefix(12)) }

    /// Hashes the file at `path`, and copies it to `destination` when given. Returns the
    /// digest and the byte count.
    static func hashFile(_ path: String, copyingTo destination: String? = nil) throws -> (Digest, Int64) {
        let src = open(path, O_RDONLY | O_CLOEXEC)
        guard src >= 0 else { throw ImageStoreError.system(step: "open", path: path, errno: errno) }
        defer { close(src) }
        var dst: Int32 = -1
        if let destination {
            dst = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard dst >= 0 else { throw ImageStoreError.system(step: "open", path: destination, errno: errno) }
        }
        defer { if dst >= 0 { close(dst) } }
        var hasher = SHA256()
        var total: Int64 = 0
        let size = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(src, buffer.baseAddress, size)
            if n < 0 {
                if errno == EINTR { continue }
                throw ImageStoreError.system(step: "read", path: path, errno: errno)
            }
            if n == 0 { break }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            hasher.update(bufferPointer: chunk)
            total += Int64(n)
            if dst >= 0, let destination {
                try writeAll(dst, chunk, path: destination)
            }
        }
        if dst >= 0, let destination, fsync(dst) != 0 {
            throw ImageStoreError.system(step: "fsync", path: destination, errno: errno)
        }
        return (Digest(hasher.finalize()), total)
    }
}

/// Writes all of `bytes` to `fd`.
func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
    guard let base = bytes.baseAddress else { return }
    var offset = 0
    while offset < bytes.count {
        let n = write(fd, base + offset, bytes.count - offset)
        if n < 0 {
            if errno == EINTR { continue }
            throw ImageStoreError.system(step: "write", path: path, errno: errno)
        }
        offset += n
    }
}
