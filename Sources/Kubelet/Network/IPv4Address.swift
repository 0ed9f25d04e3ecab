/// An IPv4 address, held as a host-order integer so ranges are plain arithmetic.
public struct IPv4Address: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Parses dotted-quad text (`10.244.0.1`); nil for anything else (no leading zeros, no spaces).
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII),
                  !(part.count > 1 && part.first == "0"), let octet = UInt8(part) else { return nil }
            value = value << 8 | UInt32(octet)
        }
        self.value = value
    }

    public var octets: [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) } }

    public var description: String { octets.map(String.init).joined(separator: ".") }

    public static func < (a: IPv4Address, b: IPv4Address) -> Bool { a.value < b.value }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let address = IPv4Address(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "not an IPv4 address: \(text)"))
        }
        self = address
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// An IPv4 network in CIDR notation (`10.244.0.0/24`). The address is always the network address.
public struct IPv4Network: Sendable, Hashable, CustomStringConvertible {
    public let address: IPv4Address
    public let prefixLength: Int

    /// nil when `prefixLength` is out of range or `address` has host bits set.
    public init?(address: IPv4Address, prefixLength: Int) {
        guard (0...32).contains(prefixLength) else { return nil }
        let mask = Self.mask(prefixLength)
        guard address.value & ~mask == 0 else { return nil }
        self.address = address
        self.prefixLength = prefixLength
    }

    /// The network of `address` with its host bits cleared; `prefixLength` is clamped to 0...32.
    public init(masking address: IPv4Address, prefixLength: Int) {
        self.prefixLength = min(max(prefixLength, 0), 32)
        self.address = IPv4Address(address.value & Self.mask(self.prefixLength))
    }

    /// Parses `a.b.c.d/n`; host bits must be zero, as Kubernetes validates a podCIDR.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(String(parts[0])),
              parts[1].allSatisfy(\.isASCII), let length = Int(parts[1]) else { return nil }
        self.init(address: address, prefixLength: length)
    }

    public var mask: UInt32 { Self.mask(prefixLength) }
    public var broadcast: IPv4Address { IPv4Address(address.value | ~mask) }
    /// The first address after the network address (the gateway by convention).
    public var firstHost: IPv4Address { IPv4Address(address.value &+ 1) }
    /// The last address before the broadcast address.
    public var lastHost: IPv4Address { IPv4Address(broadcast.value &- 1) }

    public func contains(_ ip: IPv4Address) -> Bool { ip.value & mask == address.value }

    /// True when `other` lies entirely inside this network.
    public func contains(_ other: IPv4Network) -> Bool {
        other.prefixLength >= prefixLength && contains(other.address)
    }

    public var description: String { "\(address)/\(prefixLength)" }

    private static func mask(_ length: Int) -> UInt32 {
        length == 0 ? 0 : UInt32.max << UInt32(32 - length)
    }
}
