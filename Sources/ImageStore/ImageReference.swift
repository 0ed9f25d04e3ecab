/// A normalized image reference, as Docker and Kubernetes read image names:
/// `busybox` → `docker.io/library/busybox:latest`, `k8s.gcr.io/nginx-slim:0.8` stays,
/// `name@sha256:…` keeps its digest (and gets no default tag).
public struct ImageReference: Hashable, Sendable, CustomStringConvertible {
    public static let defaultDomain = "docker.io"
    public static let officialRepositoryPrefix = "library/"
    public static let defaultTag = "latest"

    public var domain: String
    public var path: String
    public var tag: String?
    public var digest: String?

    /// Parses and normalizes `string`; throws `ImageStoreError.invalidReference`.
    public init(parsing string: String) throws {
        func invalid(_ reason: String) -> ImageStoreError {
            .invalidReference(string, reason: reason)
        }
        guard !string.isEmpty else { throw invalid("empty") }
        guard string.count <= 4096 else { throw invalid("too long") }
        var remainder = Substring(string)

        var digest: String?
        if let at = remainder.firstIndex(of: "@") {
            let d = String(remainder[remainder.index(after: at)...])
            guard Self.isValidDigest(d) else { throw invalid("digest \"\(d)\" is not sha256:<64 hex>") }
            digest = d
            remainder = remainder[..<at]
        }

        // The domain is the first component when it looks like a host (has '.' or ':', or is localhost).
        var domain = Self.defaultDomain
        if let slash = remainder.firstIndex(of: "/") {
            let first = remainder[..<slash]
            if first.contains(".") || first.contains(":") || first == "localhost" || first.contains(where: \.isUppercase) {
                domain = String(first)
                remainder = remainder[remainder.index(after: slash)...]
            }
        }

        var tag: String?
        if let colon = remainder.lastIndex(of: ":") {
            let t = String(remainder[remainder.index(after: colon)...])
            guard Self.isValidTag(t) else { throw invalid("tag \"\(t)\" is not valid") }
            tag = t
            remainder = remainder[..<colon]
        }

        var path = String(remainder)
        guard !path.isEmpty else { throw invalid("empty repository name") }
        if domain == "index.docker.io" { domain = Self.defaultDomain }
        if domain == Self.defaultDomain && !path.contains("/") {
            path = Self.officialRepositoryPrefix + path
        }
        guard Self.isValidDomain(domain) else { throw invalid("domain \"\(domain)\" is not valid") }
        for component in path.split(separator: "/", omittingEmptySubsequences: false) {
            guard Self.isValidPathComponent(component) else {
                throw invalid("repository name must be lowercase [a-z0-9] separated by '.', '_', '__' or '-'")
            }
        }
        guard domain.count + 1 + path.count <= 255 else { throw invalid("repository name longer than 255") }
        if tag == nil && digest == nil { tag = Self.defaultTag }
        self.domain = domain
        self.path = path
        self.tag = tag
        self.digest = digest
    }

    /// `domain/path` without tag or digest.
    public var name: String { "\(domain)/\(path)" }

    /// The normalized full form: `domain/path[:tag][@digest]`.
    public var description: String {
        var s = name
        if let tag { s += ":\(tag)" }
        if let digest { s += "@\(digest)" }
        return s
    }

    /// The short form Docker shows: `busybox:latest`, `k8s.gcr.io/nginx-slim:0.8`.
    public var familiarDescription: String {
        var s = description
        let official = Self.defaultDomain + "/" + Self.officialRepositoryPrefix
        if s.hasPrefix(official) {
            s.removeFirst(official.count)
        } else if s.hasPrefix(Self.defaultDomain + "/") {
            s.removeFirst(Self.defaultDomain.count + 1)
        }
        return s
    }

    static func isValidDigest(_ s: String) -> Bool {
        guard s.hasPrefix("sha256:") else { return false }
        let hex = s.dropFirst(7)
        return hex.count == 64 && hex.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    static func isValidTag(_ s: String) -> Bool {
        // [\w][\w.-]{0,127}
        guard let first = s.first, s.count <= 128 else { return false }
        func word(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || c == "_") }
        return word(first) && s.dropFirst().allSatisfy { word($0) || $0 == "." || $0 == "-" }
    }

    static func isValidDomain(_ s: String) -> Bool {
        // host[:port], host = labels of [a-zA-Z0-9-] separated by '.', or a bracketed IPv6 address.
        var host = Substring(s)
        if let colon = s.lastIndex(of: ":"), !s.hasSuffix("]") {
            let port = s[s.index(after: colon)...]
            guard !port.isEmpty, port.allSatisfy(\.isNumber) else { return false }
            host = s[..<colon]
        }
        if host.hasPrefix("[") && host.hasSuffix("]") {
            return host.dropFirst().dropLast().allSatisfy { $0.isHexDigit || $0 == ":" }
        }
        guard !host.isEmpty else { return false }
        return host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            guard let f = label.first, let l = label.last else { return false }
            return f != "-" && l != "-" && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    static func isValidPathComponent(_ s: Substring) -> Bool {
        // [a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*
        func alnum(_ c: Character) -> Bool { c.isASCII && (c.isLowercase || c.isNumber) }
        guard let first = s.first, let last = s.last, alnum(first), alnum(last) else { return false }
        var separator = ""
        for c in s {
            if alnum(c) {
                if !separator.isEmpty {
                    let ok = separator == "." || separator == "_" || separator == "__" || separator.allSatisfy { $0 == "-" }
                    if !ok { return false }
                    separator = ""
                }
            } else if c == "." || c == "_" || c == "-" {
                separator.append(c)
            } else {
                return false
            }
        }
        return true
    }
}
