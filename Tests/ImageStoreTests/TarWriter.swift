import Foundation

/// Writes ustar archives byte by byte, so tests can craft entries a well-behaved tar would
/// refuse to write (`../evil`, absolute names, links that escape).
struct TarWriter {
    enum Kind {
        case file(String)
        case directory
        case symlink(String)
        case hardlink(String)
        case charDevice(major: Int, minor: Int)
    }

    private(set) var bytes: [UInt8] = []

    mutating func add(_ name: String, _ kind: Kind, mode: Int? = nil, uid: Int = 0, gid: Int = 0) {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ s: String, at offset: Int, length: Int) {
            let utf8 = Array(s.utf8.prefix(length))
            header.replaceSubrange(offset..<offset + utf8.count, with: utf8)
        }
        func octal(_ value: Int, at offset: Int, length: Int) {
            put(String(repeating: "0", count: max(0, length - 1 - String(value, radix: 8).count))
                + String(value, radix: 8), at: offset, length: length - 1)
        }
        var content: [UInt8] = []
        var type: Character = "0"
        var linkname = ""
        var defaultMode = 0o644
        var major = 0, minor = 0
        switch kind {
        case let .file(text): content = Array(text.utf8)
        case .directory: type = "5"; defaultMode = 0o755
        case let .symlink(target): type = "2"; linkname = target; defaultMode = 0o777
        case let .hardlink(target): type = "1"; linkname = target
        case let .charDevice(ma, mi): type = "3"; major = ma; minor = mi
        }
        put(name, at: 0, length: 100)
        octal(mode ?? defaultMode, at: 100, length: 8)
        octal(uid, at: 108, length: 8)
        octal(gid, at: 116, length: 8)
        octal(content.count, at: 124, length: 12)
        octal(0, at: 136, length: 12)
        put("        ", at: 148, length: 8)
        header[156] = type.asciiValue!
        put(linkname, at: 157, length: 100)
        put("ustar", at: 257, length: 6)
        put("00", at: 263, length: 2)
        octal(major, at: 329, length: 8)
        octal(minor, at: 337, length: 8)
        let checksum = header.reduce(0) { $0 + Int($1) }
        put(String(format: "%06o", checksum), at: 148, length: 6)
        header[154] = 0
        header[155] = 0x20
        bytes += header
        bytes += content
        bytes += [UInt8](repeating: 0, count: (512 - content.count % 512) % 512)
    }

    /// The archive with its two zero end blocks.
    var archive: Data { Data(bytes + [UInt8](repeating: 0, count: 1024)) }

    func write(to path: String) throws {
        try archive.write(to: URL(fileURLWithPath: path))
    }
}
