import Glibc

/// One line of a CRI log file, `<timestamp> <stream> <tag> <content>`, as `LogWriter` writes
/// it and the kubelet's `parseCRILog` reads it. The tag is `P` (partial: the line goes on in the
/// next record of the same stream) or `F` (full), possibly followed by `:`-separated extras.
struct CRILogRecord {
    var timestamp: ArraySlice<UInt8>
    var stream: LogWriter.Stream
    var partial: Bool
    var content: ArraySlice<UInt8>

    /// Parses one record without its trailing newline; nil when it is not a CRI record.
    init?(_ line: ArraySlice<UInt8>) {
        let space = UInt8(ascii: " ")
        guard let end1 = line.firstIndex(of: space) else { return nil }
        let rest1 = line[(end1 + 1)...]
        guard let end2 = rest1.firstIndex(of: space) else { return nil }
        let streamBytes = rest1[..<end2]
        if streamBytes.elementsEqual("stdout".utf8) {
            stream = .stdout
        } else if streamBytes.elementsEqual("stderr".utf8) {
            stream = .stderr
        } else {
            return nil
        }
        let rest2 = line[(end2 + 1)...]
        let end3 = rest2.firstIndex(of: space) ?? rest2.endIndex
        let tag = rest2[..<end3]
        guard let first = tag.first else { return nil }
        timestamp = line[..<end1]
        partial = first == UInt8(ascii: "P")
        content = end3 < rest2.endIndex ? line[(end3 + 1)...] : line[line.endIndex...]
    }

    /// Whether a record that starts with `prefix` (its first few dozen bytes) is full (`F`);
    /// nil when the prefix does not reach the tag.
    static func isFull(prefix: ArraySlice<UInt8>) -> Bool? {
        let space = UInt8(ascii: " ")
        guard let end1 = prefix.firstIndex(of: space),
              let end2 = prefix[(end1 + 1)...].firstIndex(of: space), end2 + 1 < prefix.endIndex else { return nil }
        return prefix[end2 + 1] != UInt8(ascii: "P")
    }
}

/// An instant with nanoseconds, for `sinceTime` / `sinceSeconds`.
public struct LogTime: Sendable, Comparable, CustomStringConvertible {
    public var seconds: Int
    public var nanoseconds: Int

    public init(seconds: Int, nanoseconds: Int = 0) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    public static func now() -> LogTime {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return LogTime(seconds: Int(ts.tv_sec), nanoseconds: Int(ts.tv_nsec))
    }

    public static func < (a: LogTime, b: LogTime) -> Bool {
        (a.seconds, a.nanoseconds) < (b.seconds, b.nanoseconds)
    }

    /// RFC3339Nano, fixed width, UTC.
    public var description: String { LogWriter.timestamp(seconds: seconds, nanoseconds: nanoseconds) }

    /// Parses RFC 3339 with or without a fraction, `Z` or a `±hh:mm` offset
    /// (`2026-11-29T10:00:00Z`, `2026-11-29T10:00:00.123456789+01:00`).
    public init?(rfc3339 text: String) {
        self.init(rfc3339: Array(text.utf8)[...])
    }

    init?(rfc3339 b: ArraySlice<UInt8>) {
        let b = Array(b)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var value = 0
            for byte in b[from..<(from + count)] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard b.count >= 20, let year = number(0, 4), b[4] == UInt8(ascii: "-"), let month = number(5, 2),
              b[7] == UInt8(ascii: "-"), let day = number(8, 2), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
              let hour = number(11, 2), b[13] == UInt8(ascii: ":"), let minute = number(14, 2), b[16] == UInt8(ascii: ":"),
              let second = number(17, 2) else { return nil }
        var index = 19
        var nanos = 0
        if index < b.count, b[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < b.count, b[index] >= 48 && b[index] <= 57 {
                if digits < 9 {
                    nanos = nanos * 10 + Int(b[index] - 48)
                    digits += 1
                }
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<9 { nanos *= 10 }
        }
        guard index < b.count else { return nil }
        var offset = 0
        switch b[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == b.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == b.count, let oh = number(index + 1, 2), b[index + 3] == UInt8(ascii: ":"),
                  let om = number(index + 4, 2) else { return nil }
            offset = (oh * 3600 + om * 60) * (b[index] == UInt8(ascii: "+") ? 1 : -1)
        default:
            return nil
        }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        self.init(seconds: Int(timegm(&parts)) - offset, nanoseconds: nanos)
    }
}
