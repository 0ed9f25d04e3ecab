// CNamespaces: the only code that runs between clone and execve.
//
// The parent (a multi-threaded Swift process) prepares everything that allocates: paths, argv and
// envp arrays, the seccomp BPF program, capability masks. `cn_spawn_start` clones a child without
// CLONE_VM on its own stack; the child does only raw syscalls, waits for "go" on a pipe, and
// reports `{step, errno, index}` on the error pipe if a step fails. A successful execve closes
// the (CLOEXEC) error pipe, so the parent reads EOF.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sched.h>

#ifdef __cplusplus
extern "C" {
#endif

// Namespace flags, re-exported: Swift does not see them without _GNU_SOURCE.
static const int CN_CLONE_NEWNS = 0x00020000;
static const int CN_CLONE_NEWUTS = 0x04000000;
static const int CN_CLONE_NEWIPC = 0x08000000;
static const int CN_CLONE_NEWPID = 0x20000000;
static const int CN_CLONE_NEWNET = 0x40000000;
static const int CN_CLONE_NEWCGROUP = 0x02000000;
static const int CN_CLONE_NEWUSER = 0x10000000;
/// The child's parent is our parent (a subreaper that outlives us), not us.
static const int CN_CLONE_PARENT = 0x00008000;

/// The step of container setup that failed in the child.
typedef enum {
    CN_STEP_NONE = 0,
    CN_STEP_SETNS_NET,
    CN_STEP_SETHOSTNAME,
    CN_STEP_MAKE_ROOT_PRIVATE,
    CN_STEP_MOUNT_OVERLAY,
    CN_STEP_BIND_ROOTFS,
    CN_STEP_CHDIR_ROOTFS,
    CN_STEP_MOUNT_PROC,
    CN_STEP_MOUNT_DEV,
    CN_STEP_MKNOD,
    CN_STEP_MOUNT_DEVPTS,
    CN_STEP_MOUNT_SHM,
    CN_STEP_SYMLINK_DEV,
    CN_STEP_MOUNT_SYS,
    CN_STEP_MOUNT_TARGET,      // creating/opening a bind mount target (index = mount)
    CN_STEP_MOUNT_BIND,        // index = mount
    CN_STEP_REMOUNT_READONLY,  // index = mount
    CN_STEP_PIVOT_ROOT,
    CN_STEP_UMOUNT_OLD_ROOT,
    CN_STEP_MASK_PATH,         // index = masked path
    CN_STEP_READONLY_PATH,     // index = readonly path
    CN_STEP_READONLY_ROOTFS,
    CN_STEP_LOOPBACK_UP,
    CN_STEP_WAIT_GO,
    CN_STEP_CHDIR_CWD,
    CN_STEP_DUP_STDIO,
    CN_STEP_CLOSE_FDS,
    CN_STEP_DROP_BOUNDING,
    CN_STEP_NO_NEW_PRIVS,
    CN_STEP_SECCOMP,
    CN_STEP_SETGROUPS,
    CN_STEP_SETGID,
    CN_STEP_SETUID,
    CN_STEP_CAPSET,
    CN_STEP_AMBIENT,
    CN_STEP_SIGNALS,
    CN_STEP_EXECVE,            // index = candidate path
    CN_STEP_CONTROLLING_TTY,
    CN_STEP_SETNS_CONTAINER,   // exec: joining the container's namespaces
} cn_step;

/// A step name for messages ("pivot_root", "execve").
const char *cn_step_name(int step);

/// A bind mount from the host into the container.
typedef struct {
    const char *source;      // absolute host path
    const char *target;      // path inside the rootfs, relative (no leading '/')
    int source_is_dir;       // create a directory (else an empty file) as the target
    int readonly;
    int recursive;
} cn_bind_mount;

/// Everything the child needs, prepared by the parent.
typedef struct {
    int clone_flags;                 // CN_CLONE_NEW* (CLONE_NEWNET is dropped when netns_fd >= 0)
    int netns_fd;                    // join this netns (-1: none)
    const char *hostname;            // NULL: keep

    const char *rootfs;              // absolute host path of the container's root directory
    const char *overlay_options;     // non-NULL: mount overlay with these options on rootfs first
    int readonly_rootfs;

    int mount_proc;
    int mount_dev;
    int mount_sys;

    const cn_bind_mount *mounts;
    size_t mount_count;

    const char *const *masked_paths;     // absolute in-container paths
    size_t masked_count;
    const char *const *readonly_paths;   // absolute in-container paths
    size_t readonly_count;

    const char *cwd;                     // absolute in-container path
    const char *const *exec_candidates;  // absolute in-container paths to try, in order
    size_t exec_candidate_count;
    char *const *argv;                   // NULL-terminated
    char *const *envp;                   // NULL-terminated

    uid_t uid;
    gid_t gid;
    const gid_t *groups;
    size_t group_count;

    uint64_t cap_bounding;
    uint64_t cap_effective;
    uint64_t cap_permitted;
    uint64_t cap_inheritable;
    int cap_last_cap;                    // /proc/sys/kernel/cap_last_cap

    int no_new_privs;
    const void *seccomp_filter;          // struct sock_filter[] (NULL: no seccomp)
    unsigned short seccomp_filter_len;   // number of instructions

    int stdin_fd, stdout_fd, stderr_fd;  // -1: inherit
    int loopback_up;                     // bring lo up (new netns)
    int controlling_tty;                 // setsid and make stdin_fd (a pty slave) the controlling tty
} cn_spawn_config;

/// The child, between clone and "go".
typedef struct {
    pid_t pid;
    int pidfd;
    int sync_fd;   // parent's write end: "go"
    int error_fd;  // parent's read end: child's error report, EOF on exec
} cn_child;

/// A child's failure report.
typedef struct {
    int32_t step;
    int32_t err;
    int32_t index;
} cn_report;

/// Clones the child. Returns 0, or -errno (nothing started).
int cn_spawn_start(const cn_spawn_config *config, cn_child *child);

/// Lets the child go and waits until it has exec'd (returns 0) or failed (returns 1, report set),
/// or -errno if reading failed. Closes sync_fd and error_fd.
int cn_spawn_go(cn_child *child, cn_report *report);

/// Clones a process into the namespaces (ipc, uts, net, mnt, pid) of the container whose PID 1
/// is `container_pidfd`; its root and cwd are the container's root (then `config->cwd`). Only
/// the process fields of `config` are used (cwd, argv, envp, exec candidates, user,
/// capabilities, no_new_privs, seccomp, stdio, controlling_tty). Continue with `cn_spawn_go`.
/// Returns 0, or -errno (nothing started).
int cn_exec_start(const cn_spawn_config *config, int container_pidfd, cn_child *child);

/// Opens a pseudo-terminal pair from `ptmx` (a container's `/proc/<pid>/root/dev/ptmx`, so the
/// slave is `/dev/pts/N` of the container's devpts), both O_CLOEXEC, the slave without becoming
/// our controlling terminal, with this window size. Returns 0 or -errno.
int cn_open_pty(const char *ptmx, int *master, int *slave, unsigned short rows, unsigned short cols);

/// TIOCSWINSZ on a pty master. Returns 0 or -errno.
int cn_pty_resize(int master, unsigned short rows, unsigned short cols);

/// Abandons a child that was never let go: closes the pipes (the child exits on EOF).
void cn_spawn_abort(cn_child *child);

/// Waits (blocking or not) for a pidfd's process. Returns 1 when it exited, 0 when still running
/// (nonblocking), -errno on error. `exited`: 1 with `code` = exit status, 0 with `code` = signal.
int cn_pidfd_wait(int pidfd, int nonblocking, int *exited, int *code);

/// pidfd_send_signal. Returns 0 or -errno.
int cn_pidfd_send_signal(int pidfd, int sig);

/// Builds a seccomp filter with libseccomp: default allow; `names[i]` return errno `errnos[i]`.
/// When `deny_clone_namespaces`, clone with any CLONE_NEW* flag returns EPERM. Writes the BPF
/// program (malloc'd) to *filter and its instruction count to *len. Unknown names are skipped.
/// Returns 0 or -errno.
int cn_seccomp_build(const char *const *names, const int *errnos, size_t count,
                     int deny_clone_namespaces, void **filter, size_t *len);

/// Forwards `signals` to the process behind `pidfd` from an async-signal-safe handler (no
/// threads): a foreground `runtime run` passes SIGINT/SIGTERM/SIGHUP on to its container.
/// Returns 0 or -errno.
int cn_forward_signals(int pidfd, const int *signals, size_t count);

/// pipe2(fds, O_CLOEXEC). Returns 0 or -errno.
int cn_pipe_cloexec(int fds[2]);

/// statfs(2) f_type of a path (CGROUP2_SUPER_MAGIC, TMPFS_MAGIC, …), or -errno.
int64_t cn_fs_type(const char *path);

/// pidfd_open(pid, 0). Returns the fd or -errno.
int cn_pidfd_open(int pid);

/// Waits up to `timeout_ms` (-1: forever) for a pidfd's process to exit. Returns 1 when it
/// exited, 0 on timeout, -errno.
int cn_pidfd_poll(int pidfd, int timeout_ms);

/// The exit status of a pidfd's process even when another process reaps it (PIDFD_GET_INFO,
/// Linux 6.15+). Returns 1 with `exited`/`code` as `cn_pidfd_wait`, 0 when not known yet,
/// -errno (ENOTTY: kernel too old).
int cn_pidfd_exit_info(int pidfd, int *exited, int *code);

/// Field 22 of /proc/<pid>/stat (start time in clock ticks since boot): with the pid it names
/// one process for good. Returns it or -errno.
long long cn_process_start_time(int pid);

/// prctl(PR_SET_CHILD_SUBREAPER, 1). Returns 0 or -errno.
int cn_set_child_subreaper(void);

/// Reaps one exited child without blocking. Returns 1 (pid, its start time as
/// `cn_process_start_time`, exited and code as `cn_pidfd_wait`), 0 when none has exited, -errno
/// (ECHILD: no children).
int cn_reap_any(int *pid, long long *start_time, int *exited, int *code);

/// sendmsg of `data` with up to 8 fds (SCM_RIGHTS). Returns 0 or -errno.
int cn_send_fds(int sock, const void *data, size_t len, const int *fds, int count);

/// recvmsg into `data`, fds (O_CLOEXEC) into `fds` (up to `max`, the rest closed), their
/// number into `count`. Returns the bytes received (0: peer closed) or -errno.
long cn_recv_fds(int sock, void *data, size_t len, int *fds, int max, int *count);

/// Self-pipe for `signals`: handlers (any thread) write the signal's number to a pipe whose
/// nonblocking read end is returned (or -errno). For one process-wide user.
int cn_signal_pipe(const int *signals, size_t count);

/// The next signal number from `cn_signal_pipe`'s read end, 0 when none is pending, or -errno.
int cn_signal_pipe_read(int fd);

/// accept4(fd, NULL, NULL, SOCK_CLOEXEC). Returns the client fd or -errno.
int cn_accept(int fd);

/// Monotonic nanoseconds (for measurements).
uint64_t cn_monotonic_ns(void);

#ifdef __cplusplus
}
#endif
