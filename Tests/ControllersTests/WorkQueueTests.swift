import Testing
@testable import Controllers

@Suite struct WorkQueueTests {
    @Test func aKeyIsQueuedOnce() async {
        let queue = WorkQueue<String>()
        await queue.add("default/web")
        await queue.add("default/web")
        await queue.add("default/db")
        #expect(await queue.count == 2)
        #expect(await queue.get() == "default/web")
        #expect(await queue.get() == "default/db")
    }

    @Test func aKeyAddedWhileProcessingComesBackAfterDone() async {
        let queue = WorkQueue<String>()
        await queue.add("a")
        let key = await queue.get()
        #expect(key == "a")
        await queue.add("a")
        #expect(await queue.count == 0, "never handed to a second worker while processed")
        await queue.done("a")
        #expect(await queue.count == 1)
        #expect(await queue.get() == "a")
    }

    @Test func backoffDoublesAndCaps() {
        let backoff = WorkQueue<String>.Backoff(base: .milliseconds(5), max: .seconds(1))
        #expect(backoff.delay(afterFailures: 0) == .milliseconds(5))
        #expect(backoff.delay(afterFailures: 1) == .milliseconds(10))
        #expect(backoff.delay(afterFailures: 3) == .milliseconds(40))
        #expect(backoff.delay(afterFailures: 20) == .seconds(1))
        #expect(backoff.delay(afterFailures: 1000) == .seconds(1))
    }

    @Test func rateLimitedKeyWaitsForTheClock() async throws {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock, backoff: .init(base: .seconds(1), max: .seconds(60)))
        await queue.addRateLimited("a")
        await queue.addRateLimited("a")
        #expect(await queue.failureCount("a") == 2)
        await clock.advance(by: .milliseconds(999))
        #expect(await queue.count == 0)
        await clock.advance(by: .seconds(1))
        try await waitUntil { await queue.count == 1 }
        await queue.forget("a")
        #expect(await queue.failureCount("a") == 0)
    }

    @Test func shutDownReleasesWaitingWorkers() async {
        let queue = WorkQueue<Int>()
        async let waiting = queue.get()
        try? await Task.sleep(for: .milliseconds(10))
        await queue.shutDown()
        #expect(await waiting == nil)
    }

    @Test func controllerRetriesAFailedSyncAndSerializesAKey() async throws {
        let queue = WorkQueue<String>(backoff: .init(base: .milliseconds(1), max: .milliseconds(4)))
        let attempts = Counter()
        let controller = Controller(name: "test", queue: queue) { key in
            let n = await attempts.increment()
            if n < 3 { throw TestError.transient }
        }
        let running = Task { await controller.run(workers: 2) }
        await queue.add("a")
        try await waitUntil { await attempts.value >= 3 }
        try await waitUntil { await queue.failureCount("a") == 0 }
        await queue.shutDown()
        await running.value
        #expect(await attempts.value == 3)
    }
}

enum TestError: Error { case transient }

actor Counter {
    private(set) var value = 0
    func increment() -> Int {
        value += 1
        return value
    }
}

/// Polls `condition` for up to two seconds.
func waitUntil(_ condition: @Sendable () async -> Bool) async throws {
    for _ in 0..<400 {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(5))
    }
    Issue.record("condition not met in time")
}
