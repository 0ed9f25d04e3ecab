import CNamespaces
import Glibc

/// A failure while creating a container's process: the step that failed and its errno, as in
/// `pivot_root: EINVAL` or `execve /bin/nginx: ENOENT`.
public struct SpawnError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The failing step (`pivot_root`, `execve /bin/nginx`, `write /sys/fs/cgroup/…/pids.max`).
    public var step: String
    /// The errno, 0 when the failure is not a system call's.
    public var errno: Int32
    /// Extra context, e.g. the path of a bind mount.
    public var detail: String?

    public init(step: String, errno: Int32, detail: String? = nil) {
        self.step = step
        self.errno = errno
        self.detail = detail
    }

    /// The errno's symbolic name (`ENOENT`).
    public var errnoName: String { Self.name(ofErrno: errno) }

    public var description: String {
        var s = step
        if let detail { s += " (\(detail))" }
        return errno == 0 ? s : "\(s): \(errnoName)"
    }

    static func name(ofErrno e: Int32) -> String {
        switch e {
        case EPERM: "EPERM"
        case ENOENT: "ENOENT"
        case ESRCH: "ESRCH"
        case EINTR: "EINTR"
        case EIO: "EIO"
        case E2BIG: "E2BIG"
        case ENOEXEC: "ENOEXEC"
        case EBADF: "EBADF"
        case ECHILD: "ECHILD"
        case EAGAIN: "EAGAIN"
        case ENOMEM: "ENOMEM"
        case EACCES: "EACCES"
        case EFAULT: "EFAULT"
        case EBUSY: "EBUSY"
        case EEXIST: "EEXIST"
        case EXDEV: "EXDEV"
        case ENODEV: "ENODEV"
        case ENOTDIR: "ENOTDIR"
        case EISDIR: "EISDIR"
        case EINVAL: "EINVAL"
        case ENFILE: "ENFILE"
        case EMFILE: "EMFILE"
        case ETXTBSY: "ETXTBSY"
        case ENOSPC: "ENOSPC"
        case EROFS: "EROFS"
        case EPIPE: "EPIPE"
        case ENAMETOOLONG: "ENAMETOOLONG"
        case ENOSYS: "ENOSYS"
        case ENOTEMPTY: "ENOTEMPTY"
        case ELOOP: "ELOOP"
        case EPROTO: "EPROTO"
        case EOPNOTSUPP: "EOPNOTSUPP"
        case ELIBBAD: "ELIBBAD"
        default: "errno \(e)"
        }
    }
}

extension SpawnError {
    /// Builds the error for a child's report (`step` from `cn_step`).
    init(report: cn_report, detail: String?) {
        let name = String(cString: cn_step_name(report.step))
        if report.step == Int32(CN_STEP_EXECVE.rawValue), let detail {
            self.init(step: "execve \(detail)", errno: report.err)
        } else {
            self.init(step: name, errno: report.err, detail: detail)
        }
    }

    /// The current errno, for a step done in the parent.
    static func last(_ step: String, detail: String? = nil) -> SpawnError {
        SpawnError(step: step, errno: Glibc.errno, detail: detail)
    }
}
