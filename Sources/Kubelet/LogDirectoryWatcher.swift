import CNamespaces
import Glibc

/// A wake-up a follower awaits: set by file changes (inotify) and by the container stopping,
/// remembered when nobody waits yet so no change is missed.
final class LogWakeup: @unchecked Sendable {  // state behind `lock`
    private let lock = Mutex()
    // Guarded by `lock`.
    private var pending = false
    private var stopped = false
    private var waiter: CheckedContinuation<Void, Never>?

    func wake() {
        let waiter = lock.withLock {
            defer { self.waiter = nil }
            if self.waiter == nil { pending = true }
            return self.waiter
        }
        waiter?.resume()
    }

    /// The container stopped: the follower drains the file and ends.
    func markStopped() {
        lock.withLock { stopped = true }
        wake()
    }

    var isStopped: Bool { lock.withLock { stopped } }

    /// Returns at the next `wake` (at once if one came since the last wait) or on cancellation.
    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let ready = lock.withLock {
                    if pending || Task.isCancelled {
                        pending = false
                        return true
                    }
                    waiter = c
                    return false
                }
                if ready { c.resume() }
            }
        } onCancel: {
            wake()
        }
    }
}

/// Wakes a `LogWakeup` whenever a file in a directory is written, created, renamed or closed
/// (inotify), from one thread blocked in poll(2): no polling interval, no missed rotation.
final class LogDirectoryWatcher: Sendable {
    private let stopWrite: Int32

    /// Watches `directory`; throws when it cannot be watched (e.g. it does not exist).
    init(directory: String, wakeup: LogWakeup) throws(SpawnError) {
        let inotify = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard inotify >= 0 else { throw SpawnError.last("inotify_init1") }
        let mask = UInt32(IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE | IN_DELETE_SELF)
        guard inotify_add_watch(inotify, directory, mask) >= 0 else {
            let error = SpawnError.last("inotify_add_watch \(directory)")
            close(inotify)
            throw error
        }
        var pipe: [Int32] = [-1, -1]
        guard cn_pipe_cloexec(&pipe) == 0 else {
            let error = SpawnError.last("pipe")
            close(inotify)
            throw error
        }
        let stopRead = pipe[0]
        stopWrite = pipe[1]
        do {
            try detachThread { Self.run(inotify: inotify, stop: stopRead, wakeup: wakeup) }
        } catch {
            close(inotify)
            close(stopRead)
            close(pipe[1])
            throw error
        }
    }

    /// Ends the thread (it closes its descriptors).
    func stop() { close(stopWrite) }

    private static func run(inotify: Int32, stop: Int32, wakeup: LogWakeup) {
        defer {
            close(inotify)
            close(stop)
        }
        var fds = [pollfd(fd: inotify, events: Int16(POLLIN), revents: 0), pollfd(fd: stop, events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let rc = poll(&fds, nfds_t(fds.count), -1)
            if rc < 0 {
                if errno == EINTR { continue }
                return
            }
            if fds[1].revents != 0 { return }
            guard fds[0].revents != 0 else { continue }
            var changed = false
            while true {
                let n = buffer.withUnsafeMutableBytes { read(inotify, $0.baseAddress, $0.count) }
                if n > 0 {
                    changed = true
                    continue
                }
                if n < 0 && errno == EINTR { continue }
                break
            }
            if changed { wakeup.wake() }
        }
    }
}
