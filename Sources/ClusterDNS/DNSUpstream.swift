import NIOCore

/// A resolver the cluster DNS forwards names outside its zones to: `1.1.1.1`, `192.168.1.1:5353`,
/// `::1`, `[fd00::1]:53`.
public struct DNSUpstream: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int = 53) {
        self.host = host
        self.port = port
    }

    /// Parses `address`, `address:port` (IPv4) or `[address]:port` / a bare IPv6 address; nil for
    /// anything that is not a literal address (no names: resolving them would need a resolver).
    public init?(_ text: String) {
        var host = text
        var port = 53
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.first == ":", let number = Int(rest.dropFirst()) else { return nil }
                port = number
            }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            host = String(text[..<colon])
            guard let number = Int(text[text.index(after: colon)...]) else { return nil }
            port = number
        }
        guard (1...65535).contains(port), (try? SocketAddress(ipAddress: host, port: port)) != nil else { return nil }
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The `nameserver` lines of a resolv.conf, in order, without `excluding` (the cluster DNS's
    /// own address: forwarding to itself would loop).
    public static func fromResolvConf(_ text: String, excluding: Set<String> = []) -> [DNSUpstream] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, fields[0] == "nameserver", !excluding.contains(String(fields[1])) else { return nil }
            return DNSUpstream(String(fields[1]))
        }
    }
}
