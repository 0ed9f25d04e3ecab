import Foundation
import Testing
@testable import KubeModel

@Suite struct AgeTests {
    // Cases from apimachinery's duration_test.go and what `kubectl get` prints.
    @Test(arguments: [
        (-2.0, "<invalid>"), (-1.5, "0s"), (0, "0s"), (45, "45s"), (119, "119s"), (120, "2m"),
        (121, "2m1s"), (590, "9m50s"), (600, "10m"), (95 * 60, "95m"), (179 * 60 + 59, "179m"),
        (3 * 3600, "3h"), (5 * 3600 + 3 * 60, "5h3m"), (8 * 3600, "8h"), (45 * 3600, "45h"),
        (47 * 3600 + 59 * 60, "47h"), (48 * 3600, "2d"), (7 * 86400 + 13 * 3600, "7d13h"),
        (8 * 86400, "8d"), (230 * 86400, "230d"), (729 * 86400, "729d"), (2 * 365 * 86400, "2y"),
        (3 * 365 * 86400 + 45 * 86400, "3y45d"), (8 * 365 * 86400, "8y"), (12 * 365 * 86400 + 100 * 86400, "12y"),
    ] as [(Double, String)])
    func humanDuration(seconds: Double, expected: String) {
        #expect(Age.format(seconds) == expected)
    }

    @Test func sinceTimestamp() throws {
        let now = try #require(Age.parseTimestamp("2026-01-02T03:04:05Z"))
        #expect(Age.since("2026-01-02T02:54:15Z", now: now) == "9m50s")
        #expect(Age.since("2025-12-25T14:00:00Z", now: now) == "7d13h")
        #expect(Age.since("2026-01-02T03:04:05.123456Z", now: now) == "0s")
        #expect(Age.since(nil, now: now) == "<unknown>")
        #expect(Age.since("garbage", now: now) == "<unknown>")
        #expect(Age.since("2026-01-02T05:04:05+02:00", now: now) == "0s")
        #expect(Age.since("2026-01-01T22:04:05-05:00", now: now) == "0s")
    }

    @Test func parsesTimestamps() throws {
        #expect(Age.parseTimestamp("1970-01-01T00:00:00Z") == Date(timeIntervalSince1970: 0))
        #expect(Age.parseTimestamp("2000-03-01T00:00:00Z") == Date(timeIntervalSince1970: 951_868_800))
        #expect(Age.parseTimestamp("2024-02-29T12:30:15Z") == Date(timeIntervalSince1970: 1_709_209_815))
        let micro = try #require(Age.parseTimestamp("2024-02-29T12:30:15.250000Z"))
        #expect(abs(micro.timeIntervalSince1970 - 1_709_209_815.25) < 1e-6)
        for bad in ["", "2024-02-29", "2024-02-29T12:30:15", "2024-13-01T00:00:00Z", "2024-02-29T12:30:15.Z", "2024-02-29T12:30:15Zx"] {
            #expect(Age.parseTimestamp(bad) == nil, "\(bad)")
        }
    }
}
