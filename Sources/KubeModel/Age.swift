import Foundation

/// The AGE column of `kubectl get`: Kubernetes' `duration.HumanDuration`
/// (k8s.io/apimachinery/pkg/util/duration), about 2–3 significant figures.
public enum Age {
    /// `45s`, `9m50s`, `95m`, `5h3m`, `45h`, `7d13h`, `230d`, `3y45d`, `12y`; `<invalid>` when
    /// more than a second in the future (a little clock skew prints `0s`).
    public static func format(_ interval: TimeInterval) -> String {
        guard interval.isFinite else { return "<invalid>" }
        // Go truncates toward zero when converting a Duration to whole seconds.
        let seconds = Int64(interval.rounded(.towardZero))
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 60 * 2 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 {
            let s = seconds % 60
            return s == 0 ? "\(minutes)m" : "\(minutes)m\(s)s"
        }
        if minutes < 60 * 3 { return "\(minutes)m" }
        let hours = seconds / 3600
        if hours < 8 {
            let m = minutes % 60
            return m == 0 ? "\(hours)h" : "\(hours)h\(m)m"
        }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 {
            let h = hours % 24
            return h == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(h)h"
        }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let dy = (hours / 24) % 365
            return dy == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(dy)d"
        }
        return "\(hours / 24 / 365)y"
    }

    /// The age of a `creationTimestamp`-style RFC 3339 string at `now`, or `<unknown>` when the
    /// timestamp is missing or unreadable (as kubectl prints a zero time).
    public static func since(_ timestamp: String?, now: Date) -> String {
        guard let timestamp, let date = parseTimestamp(timestamp) else { return "<unknown>" }
        return format(now.timeIntervalSince(date))
    }

    /// Parses `2024-05-01T10:00:00Z` and the fractional form used by MicroTime
    /// (`2024-05-01T10:00:00.123456Z`), with `Z` or a numeric offset.
    public static func parseTimestamp(_ text: String) -> Date? {
        if text.isEmpty { return nil }
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = fractional.date(from: text) { return date }
        // ISO8601DateFormatter accepts at most millisecond precision on some platforms: drop
        // the extra digits of a MicroTime before retrying.
        if let dot = text.firstIndex(of: "."), let end = text[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }) {
            let digits = text[text.index(after: dot)..<end]
            let trimmed = String(text[..<dot]) + "." + String(digits.prefix(3)) + String(text[end...])
            return fractional.date(from: trimmed)
        }
        return nil
    }
}
