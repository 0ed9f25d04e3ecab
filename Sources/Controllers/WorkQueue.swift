/// A queue of object keys with Kubernetes' workqueue semantics: a key is queued at most once,
/// a key being processed is never handed to a second worker, and a key added while it is
/// processed is queued again when that worker calls `done`. Failed keys come back after a
/// per-key exponential backoff.
public actor WorkQueue<Key: Hashable & Sendable> {
    private var queue: [Key] = []
    private var dirty: Set<Key> = []
    private var processing: Set<Key> = []
    private var failures: [Key: Int] = [:]
    private var waiters: [CheckedContinuation<Key?, Never>] = []
    private var isShuttingDown = false
    private let clock: any Clock<Duration>
    private let backoff: Backoff

    /// Exponential per-key backoff: `base * 2^failures`, capped at `max`.
    public struct Backoff: Sendable {
        public var base: Duration
        public var max: Duration

        public init(base: Duration = .milliseconds(5), max: Duration = .seconds(300)) {
            self.base = base
            self.max = max
        }

        public func delay(afterFailures count: Int) -> Duration {
            var delay = base
            for _ in 0..<min(count, 62) {
                delay *= 2
                if delay >= max { return max }
            }
            return delay
        }
    }

    public init(clock: any Clock<Duration> = ContinuousClock(), backoff: Backoff = Backoff()) {
        self.clock = clock
        self.backoff = backoff
    }

    /// Queues `key` unless it is already waiting.
    public func add(_ key: Key) {
        guard !isShuttingDown, !dirty.contains(key) else { return }
        dirty.insert(key)
        if processing.contains(key) { return }
        if let waiter = waiters.first {
            waiters.removeFirst()
            dirty.remove(key)
            processing.insert(key)
            waiter.resume(returning: key)
        } else {
            queue.append(key)
        }
    }

    /// Queues `key` once `delay` has passed on the queue's clock.
    public func add(_ key: Key, after delay: Duration) {
        guard !isShuttingDown else { return }
        guard delay > .zero else { return add(key) }
        let clock = self.clock
        Task { [weak self] in
            try? await clock.sleep(for: delay, tolerance: nil)
            await self?.add(key)
        }
    }

    /// Queues `key` after its backoff, and counts one more failure for it.
    public func addRateLimited(_ key: Key) {
        let count = failures[key, default: 0]
        failures[key] = count + 1
        add(key, after: backoff.delay(afterFailures: count))
    }

    /// Forgets the failures of `key`: its next failure starts again at the base delay.
    public func forget(_ key: Key) {
        failures[key] = nil
    }

    /// How many times `key` failed since it was last forgotten.
    public func failureCount(_ key: Key) -> Int { failures[key, default: 0] }

    /// The next key to process, waiting for one; nil once the queue is shut down.
    public func get() async -> Key? {
        if isShuttingDown { return nil }
        if !queue.isEmpty {
            let key = queue.removeFirst()
            dirty.remove(key)
            processing.insert(key)
            return key
        }
        return await withCheckedContinuation { waiters.append($0) }
    }

    /// Marks `key` processed; if it was added meanwhile it is queued again.
    public func done(_ key: Key) {
        processing.remove(key)
        guard dirty.contains(key) else { return }
        dirty.remove(key)
        add(key)
    }

    /// Keys waiting to be processed.
    public var count: Int { queue.count }

    /// Stops handing out keys; waiting workers get nil.
    public func shutDown() {
        isShuttingDown = true
        queue.removeAll()
        for waiter in waiters { waiter.resume(returning: nil) }
        waiters.removeAll()
    }
}
