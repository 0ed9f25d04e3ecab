/// A Kubernetes resource quantity (`1Gi`, `500m`, `1e3`, `0.5`, `100M`), held exactly as an
/// integer count of nano-units (values are rounded up to 1n, as Kubernetes does), with the
/// format it was written in so it prints back in Kubernetes' canonical form.
public struct Quantity: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// How the quantity prints: `Ki`/`Mi`… suffixes, `k`/`M`/`m`… suffixes, or `e3` exponents.
    public enum Format: String, Sendable, Hashable, Codable {
        case binarySI = "BinarySI"
        case decimalSI = "DecimalSI"
        case decimalExponent = "DecimalExponent"
    }

    /// An unparsable quantity; the message is the one Kubernetes gives.
    public enum ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        case formatWrong
        case numeric
        case suffix

        public var description: String {
            switch self {
            case .formatWrong: return "quantities must match the regular expression '\(Quantity.regex)'"
            case .numeric: return "unable to parse quantity's numeric part"
            case .suffix: return "unable to parse quantity's suffix"
            }
        }
    }

    public static let regex = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"

    /// The value in units of 10^-9.
    public private(set) var nanos: Int128
    public var format: Format

    static let nano: Int128 = 1_000_000_000
    /// Kubernetes caps quantities at 2^63-1.
    static let maxNanos: Int128 = Int128(Int64.max) * nano

    public init(nanos: Int128, format: Format = .decimalSI) {
        self.nanos = Swift.min(Swift.max(nanos, -Self.maxNanos), Self.maxNanos)
        self.format = format
    }

    /// A whole number of units (`Quantity(3)` is `3`).
    public init(_ value: Int64, format: Format = .decimalSI) {
        self.init(nanos: Int128(value) * Self.nano, format: format)
    }

    /// A value in thousandths (`Quantity(milli: 500)` is `500m`).
    public init(milli: Int64, format: Format = .decimalSI) {
        self.init(nanos: Int128(milli) * 1_000_000, format: format)
    }

    /// Parses `1Gi`, `500m`, `1e3`, `0.5`, `-2k`, `+1.5Mi`.
    public init(parsing string: String) throws(ParseError) {
        var chars = Substring(string)
        guard !chars.isEmpty else { throw .formatWrong }
        var negative = false
        if chars.first == "+" || chars.first == "-" {
            negative = chars.first == "-"
            chars = chars.dropFirst()
        }
        let integerPart = chars.prefix { $0.isASCII && $0.isNumber }
        chars = chars.dropFirst(integerPart.count)
        var fractionPart = Substring("")
        if chars.first == "." {
            chars = chars.dropFirst()
            fractionPart = chars.prefix { $0.isASCII && $0.isNumber }
            chars = chars.dropFirst(fractionPart.count)
        }
        if integerPart.isEmpty && fractionPart.isEmpty { throw .formatWrong }
        let suffix = String(chars)
        guard suffix.allSatisfy({ "eEinumkKMGTP+-0123456789".contains($0) }) else { throw .formatWrong }

        var base10Exponent = 0
        var base2Exponent = 0
        let format: Format
        switch suffix {
        case "": format = .decimalSI
        case "Ki": format = .binarySI; base2Exponent = 10
        case "Mi": format = .binarySI; base2Exponent = 20
        case "Gi": format = .binarySI; base2Exponent = 30
        case "Ti": format = .binarySI; base2Exponent = 40
        case "Pi": format = .binarySI; base2Exponent = 50
        case "Ei": format = .binarySI; base2Exponent = 60
        case "n": format = .decimalSI; base10Exponent = -9
        case "u": format = .decimalSI; base10Exponent = -6
        case "m": format = .decimalSI; base10Exponent = -3
        case "k": format = .decimalSI; base10Exponent = 3
        case "M": format = .decimalSI; base10Exponent = 6
        case "G": format = .decimalSI; base10Exponent = 9
        case "T": format = .decimalSI; base10Exponent = 12
        case "P": format = .decimalSI; base10Exponent = 15
        case "E": format = .decimalSI; base10Exponent = 18
        default:
            guard suffix.count > 1, suffix.first == "e" || suffix.first == "E",
                  let exponent = Int(suffix.dropFirst()), abs(exponent) < 10_000 else { throw .suffix }
            format = .decimalExponent
            base10Exponent = exponent
        }

        // value = digits × 10^(base10Exponent - fraction digits + 9) nano-units × 2^base2Exponent
        var digits = Substring(integerPart + fractionPart).drop { $0 == "0" }
        var power = base10Exponent - fractionPart.count + 9
        var roundUp = false
        if power < 0 {
            // Drop the digits below 1n, remembering to round up if any was not zero.
            let drop = Swift.min(-power, digits.count)
            roundUp = digits.suffix(drop).contains { $0 != "0" }
            digits = digits.dropLast(drop)
            power += drop
            if power < 0 { digits = "" }
        }
        var value: Int128 = 0
        var overflow = digits.count > 36
        if !overflow {
            for digit in digits { value = value * 10 + Int128(digit.wholeNumberValue ?? 0) }
            if base2Exponent > 0 {
                let shifted = value.multipliedReportingOverflow(by: Int128(1) << base2Exponent)
                value = shifted.partialValue
                overflow = overflow || shifted.overflow
            }
            if power > 0, !overflow {
                if power > 36 {
                    overflow = value != 0
                } else {
                    var scale: Int128 = 1
                    for _ in 0..<power { scale *= 10 }
                    let scaled = value.multipliedReportingOverflow(by: scale)
                    value = scaled.partialValue
                    overflow = scaled.overflow
                }
            }
        }
        if roundUp { value += 1 }
        if overflow || value > Self.maxNanos { value = Self.maxNanos }
        var finalFormat = format
        if format == .binarySI && value < Self.nano && value > 0 { finalFormat = .decimalSI }
        self.init(nanos: negative ? -value : value, format: finalFormat)
    }

    /// Parses a JSON value: a string, or a number as YAML/JSON manifests allow (`cpu: 1`).
    public init(_ json: JSONValue) throws(ParseError) {
        switch json {
        case .string(let s): try self.init(parsing: s)
        case .int(let i): self.init(i)
        case .double(let d): try self.init(parsing: d == d.rounded() && abs(d) < 9e18 ? String(Int64(d)) : String(d))
        default: throw .formatWrong
        }
    }

    public var isZero: Bool { nanos == 0 }
    public var isNegative: Bool { nanos < 0 }

    /// The value rounded up to a whole number (`Value()`).
    public var value: Int64 { Int64(clamping: Self.ceilDiv(nanos, Self.nano)) }

    /// The value in thousandths, rounded up (`MilliValue()`).
    public var milliValue: Int64 { Int64(clamping: Self.ceilDiv(nanos, 1_000_000)) }

    static func ceilDiv(_ a: Int128, _ b: Int128) -> Int128 {
        let (q, r) = a.quotientAndRemainder(dividingBy: b)
        return r > 0 ? q + 1 : q
    }

    public static func < (lhs: Quantity, rhs: Quantity) -> Bool { lhs.nanos < rhs.nanos }

    /// Equal values are equal quantities whatever their format (`1Gi == 1073741824`).
    public static func == (lhs: Quantity, rhs: Quantity) -> Bool { lhs.nanos == rhs.nanos }
    public func hash(into hasher: inout Hasher) { hasher.combine(nanos) }

    public static func + (lhs: Quantity, rhs: Quantity) -> Quantity {
        Quantity(nanos: lhs.nanos + rhs.nanos, format: lhs.isZero ? rhs.format : lhs.format)
    }

    public static func - (lhs: Quantity, rhs: Quantity) -> Quantity {
        Quantity(nanos: lhs.nanos - rhs.nanos, format: lhs.isZero ? rhs.format : lhs.format)
    }

    /// Kubernetes' canonical form (`CanonicalizeBytes`): `1Gi`, `1536Mi`, `500m`, `1e3`, `100M`.
    public var description: String {
        if nanos == 0 { return "0" }
        let sign = nanos < 0 ? "-" : ""
        let magnitude = nanos.magnitude
        var format = self.format
        if format == .binarySI {
            if magnitude < 1024 * UInt128(Self.nano) || magnitude % UInt128(Self.nano) != 0 {
                format = .decimalSI
            }
        }
        if format == .binarySI {
            var amount = magnitude / UInt128(Self.nano)
            var exponent = 0
            while amount % 1024 == 0 && exponent < 60 {
                amount /= 1024
                exponent += 10
            }
            let suffixes = [0: "", 10: "Ki", 20: "Mi", 30: "Gi", 40: "Ti", 50: "Pi", 60: "Ei"]
            return "\(sign)\(amount)\(suffixes[exponent] ?? "")"
        }
        var amount = magnitude
        var exponent = -9
        while amount % 10 == 0 {
            amount /= 10
            exponent += 1
        }
        var extra = exponent % 3
        if extra < 0 { extra += 3 }
        exponent -= extra
        for _ in 0..<extra { amount *= 10 }
        let suffix: String
        if format == .decimalSI {
            let suffixes = [-9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E"]
            suffix = suffixes[exponent] ?? "e\(exponent)"
        } else {
            suffix = exponent == 0 ? "" : "e\(exponent)"
        }
        return "\(sign)\(amount)\(suffix)"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let json = try container.decode(JSONValue.self)
        do {
            try self.init(json)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
