import Logging

/// Runs a level-triggered `sync(key)` over a work queue: each key is handled by one worker at a
/// time, a failed sync is retried with the queue's backoff, a successful one resets it.
public struct Controller<Key: Hashable & Sendable>: Sendable {
    public let name: String
    public let queue: WorkQueue<Key>
    private let sync: @Sendable (Key) async throws -> Void
    private let logger: Logger

    public init(
        name: String, queue: WorkQueue<Key>, logger: Logger? = nil,
        sync: @escaping @Sendable (Key) async throws -> Void
    ) {
        self.name = name
        self.queue = queue
        self.sync = sync
        self.logger = logger ?? Logger(label: "minikube-swift.controller.\(name)")
    }

    /// Runs `workers` workers until the queue shuts down.
    public func run(workers: Int = 1) async {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, workers) {
                group.addTask { await self.work() }
            }
        }
    }

    private func work() async {
        while let key = await queue.get() {
            do {
                try await sync(key)
                await queue.forget(key)
            } catch {
                let failures = await queue.failureCount(key)
                logger.warning("sync \(key) failed (\(failures + 1) times): \(error)")
                await queue.addRateLimited(key)
            }
            await queue.done(key)
        }
    }
}
