// The container child: everything between clone and execve. Raw syscalls only (no malloc, no
// locks, no glibc setxid broadcast): the parent is a multi-threaded Swift process and the child
// is a copy of it without CLONE_VM.
#include "cnamespaces.h"
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

#define CHILD_STACK_SIZE (256 * 1024)

static const char *const step_names[] = {
    [CN_STEP_NONE] = "none",
    [CN_STEP_SETNS_NET] = "setns(net)",
    [CN_STEP_SETHOSTNAME] = "sethostname",
    [CN_STEP_MAKE_ROOT_PRIVATE] = "mount(/, MS_REC|MS_PRIVATE)",
    [CN_STEP_MOUNT_OVERLAY] = "mount(overlay)",
    [CN_STEP_BIND_ROOTFS] = "mount(rootfs, MS_BIND)",
    [CN_STEP_CHDIR_ROOTFS] = "chdir(rootfs)",
    [CN_STEP_MOUNT_PROC] = "mount(/proc)",
    [CN_STEP_MOUNT_DEV] = "mount(/dev)",
    [CN_STEP_MKNOD] = "mknod(/dev)",
    [CN_STEP_MOUNT_DEVPTS] = "mount(/dev/pts)",
    [CN_STEP_MOUNT_SHM] = "mount(/dev/shm)",
    [CN_STEP_SYMLINK_DEV] = "symlink(/dev)",
    [CN_STEP_MOUNT_SYS] = "mount(/sys)",
    [CN_STEP_MOUNT_TARGET] = "open(mount target)",
    [CN_STEP_MOUNT_BIND] = "mount(MS_BIND)",
    [CN_STEP_REMOUNT_READONLY] = "mount(MS_REMOUNT|MS_RDONLY)",
    [CN_STEP_PIVOT_ROOT] = "pivot_root",
    [CN_STEP_UMOUNT_OLD_ROOT] = "umount2(old root)",
    [CN_STEP_MASK_PATH] = "mask path",
    [CN_STEP_READONLY_PATH] = "readonly path",
    [CN_STEP_READONLY_ROOTFS] = "mount(/, MS_RDONLY)",
    [CN_STEP_LOOPBACK_UP] = "ioctl(lo, IFF_UP)",
    [CN_STEP_WAIT_GO] = "wait for parent",
    [CN_STEP_CHDIR_CWD] = "chdir(cwd)",
    [CN_STEP_DUP_STDIO] = "dup2(stdio)",
    [CN_STEP_CLOSE_FDS] = "close_range",
    [CN_STEP_DROP_BOUNDING] = "prctl(PR_CAPBSET_DROP)",
    [CN_STEP_NO_NEW_PRIVS] = "prctl(PR_SET_NO_NEW_PRIVS)",
    [CN_STEP_SECCOMP] = "seccomp",
    [CN_STEP_SETGROUPS] = "setgroups",
    [CN_STEP_SETGID] = "setresgid",
    [CN_STEP_SETUID] = "setresuid",
    [CN_STEP_CAPSET] = "capset",
    [CN_STEP_AMBIENT] = "prctl(PR_CAP_AMBIENT)",
    [CN_STEP_SIGNALS] = "reset signals",
    [CN_STEP_EXECVE] = "execve",
    [CN_STEP_CONTROLLING_TTY] = "ioctl(TIOCSCTTY)",
    [CN_STEP_SETNS_CONTAINER] = "setns(container)",
};

const char *cn_step_name(int step) {
    if (step < 0 || step >= (int)(sizeof step_names / sizeof step_names[0]) || !step_names[step])
        return "unknown";
    return step_names[step];
}

static volatile sig_atomic_t forward_pidfd = -1;

static void forward_signal(int sig) {
    int saved = errno;
    int fd = forward_pidfd;
    if (fd >= 0) (void)syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
    errno = saved;
}

int cn_forward_signals(int pidfd, const int *signals, size_t count) {
    forward_pidfd = pidfd;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = forward_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < count; i++) {
        if (sigaction(signals[i], &sa, NULL) < 0) return -errno;
    }
    return 0;
}

int cn_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC) < 0 ? -errno : 0;
}

int64_t cn_fs_type(const char *path) {
    struct statfs fs;
    if (statfs(path, &fs) < 0) return -errno;
    return (int64_t)fs.f_type;
}

uint64_t cn_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

// ---- child helpers (syscalls only) ----

struct child_args {
    const cn_spawn_config *config;
    int sync_fd;
    int error_fd;
};

void cn_child_fail(int error_fd, int step, int err, int index) {
    cn_report report = {.step = step, .err = err, .index = index};
    ssize_t n;
    do {
        n = write(error_fd, &report, sizeof report);
    } while (n < 0 && errno == EINTR);
    _exit(127);
}

static int open_in_root(int rootfd, const char *path, int flags) {
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (uint64_t)(flags | O_CLOEXEC);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
}

// "/proc/self/fd/N" into buf (no snprintf).
static const char *fd_path(char buf[32], int fd) {
    static const char prefix[] = "/proc/self/fd/";
    char digits[16];
    int n = 0;
    do {
        digits[n++] = (char)('0' + fd % 10);
        fd /= 10;
    } while (fd > 0 && n < 15);
    memcpy(buf, prefix, sizeof prefix - 1);
    int i = sizeof prefix - 1;
    while (n > 0) buf[i++] = digits[--n];
    buf[i] = '\0';
    return buf;
}

// Ensures `rel` (relative, no leading '/') exists inside the root opened as `rootfd`, creating
// missing directories (and the last component as a file when !is_dir). Symlinks resolve inside
// the root. Returns an O_PATH fd of the target, or -1 with errno set.
static int ensure_in_root(int rootfd, const char *rel, int is_dir) {
    char buf[4096];
    size_t len = strlen(rel);
    if (len == 0) return open_in_root(rootfd, ".", O_PATH | O_DIRECTORY);
    if (len >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, rel, len + 1);
    char *p = buf;
    for (;;) {
        char *slash = strchr(p, '/');
        int last = slash == NULL;
        if (!last) *slash = '\0';
        int fd = open_in_root(rootfd, buf, O_PATH);
        if (fd < 0 && errno == ENOENT) {
            char *sep = strrchr(buf, '/');
            int parent;
            const char *name;
            if (sep) {
                *sep = '\0';
                parent = open_in_root(rootfd, buf, O_PATH | O_DIRECTORY);
                *sep = '/';
                name = sep + 1;
            } else {
                parent = open_in_root(rootfd, ".", O_PATH | O_DIRECTORY);
                name = buf;
            }
            if (parent < 0) return -1;
            int rc;
            if (!last || is_dir) {
                rc = mkdirat(parent, name, 0755);
            } else {
                rc = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
                if (rc >= 0) rc = close(rc);
            }
            int saved = errno;
            close(parent);
            if (rc < 0 && saved != EEXIST) {
                errno = saved;
                return -1;
            }
            fd = open_in_root(rootfd, buf, O_PATH);
        }
        if (fd < 0 || last) return fd;
        close(fd);
        *slash = '/';
        p = slash + 1;
    }
}

// Mounts onto an in-root path; returns 0 or -1 (errno). The target is resolved in the root.
static int mount_in_root(int rootfd, const char *rel, int is_dir, const char *source,
                         const char *fstype, unsigned long flags, const char *data) {
    int fd = ensure_in_root(rootfd, rel, is_dir);
    if (fd < 0) return -1;
    char path[32];
    int rc = mount(source, fd_path(path, fd), fstype, flags, data);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

// mkdir -p for an absolute path (after pivot_root).
static int mkdir_all(const char *path) {
    char buf[4096];
    size_t len = strlen(path);
    if (len >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, path, len + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) < 0 && errno != EEXIST) return -1;
            *p = '/';
        }
    }
    if (mkdir(buf, 0755) < 0 && errno != EEXIST) return -1;
    return 0;
}

static int setup_dev(int error_fd, int rootfd) {
    if (mount_in_root(rootfd, "dev", 1, "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME,
                      "mode=755,size=65536k") < 0)
        cn_child_fail(error_fd, CN_STEP_MOUNT_DEV, errno, 0);
    int dev = open_in_root(rootfd, "dev", O_PATH | O_DIRECTORY);
    if (dev < 0) cn_child_fail(error_fd, CN_STEP_MOUNT_DEV, errno, 0);
    static const struct {
        const char *name;
        unsigned major, minor;
    } nodes[] = {{"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7},
                 {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}};
    for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
        if (mknodat(dev, nodes[i].name, S_IFCHR | 0666, makedev(nodes[i].major, nodes[i].minor)) < 0)
            cn_child_fail(error_fd, CN_STEP_MKNOD, errno, (int)i);
    }
    char path[32];
    if (mkdirat(dev, "pts", 0755) < 0) cn_child_fail(error_fd, CN_STEP_MOUNT_DEVPTS, errno, 0);
    int pts = openat(dev, "pts", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (pts < 0 || mount("devpts", fd_path(path, pts), "devpts", MS_NOSUID | MS_NOEXEC,
                         "newinstance,ptmxmode=0666,mode=0620,gid=5") < 0)
        cn_child_fail(error_fd, CN_STEP_MOUNT_DEVPTS, errno, 0);
    close(pts);
    if (mkdirat(dev, "shm", 01777) < 0) cn_child_fail(error_fd, CN_STEP_MOUNT_SHM, errno, 0);
    int shm = openat(dev, "shm", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (shm < 0 || mount("shm", fd_path(path, shm), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                         "mode=1777,size=65536k") < 0)
        cn_child_fail(error_fd, CN_STEP_MOUNT_SHM, errno, 0);
    close(shm);
    static const struct {
        const char *target, *name;
    } links[] = {{"pts/ptmx", "ptmx"},
                 {"/proc/self/fd", "fd"},
                 {"/proc/self/fd/0", "stdin"},
                 {"/proc/self/fd/1", "stdout"},
                 {"/proc/self/fd/2", "stderr"},
                 {"/proc/kcore", "core"}};
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
        if (symlinkat(links[i].target, dev, links[i].name) < 0)
            cn_child_fail(error_fd, CN_STEP_SYMLINK_DEV, errno, (int)i);
    }
    close(dev);
    return 0;
}

static void loopback_up(int error_fd) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) cn_child_fail(error_fd, CN_STEP_LOOPBACK_UP, errno, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, "lo", 3);
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) cn_child_fail(error_fd, CN_STEP_LOOPBACK_UP, errno, 0);
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) cn_child_fail(error_fd, CN_STEP_LOOPBACK_UP, errno, 0);
    close(s);
}

static int child_main(void *arg) {
    const struct child_args *a = arg;
    const cn_spawn_config *c = a->config;
    int efd = a->error_fd;
    umask(0);

    if (c->netns_fd >= 0 && setns(c->netns_fd, CLONE_NEWNET) < 0)
        cn_child_fail(efd, CN_STEP_SETNS_NET, errno, 0);
    if (c->hostname && sethostname(c->hostname, strlen(c->hostname)) < 0)
        cn_child_fail(efd, CN_STEP_SETHOSTNAME, errno, 0);
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        cn_child_fail(efd, CN_STEP_MAKE_ROOT_PRIVATE, errno, 0);

    if (c->overlay_options) {
        if (mount("overlay", c->rootfs, "overlay", 0, c->overlay_options) < 0)
            cn_child_fail(efd, CN_STEP_MOUNT_OVERLAY, errno, 0);
    } else if (mount(c->rootfs, c->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0) {
        cn_child_fail(efd, CN_STEP_BIND_ROOTFS, errno, 0);
    }
    if (chdir(c->rootfs) < 0) cn_child_fail(efd, CN_STEP_CHDIR_ROOTFS, errno, 0);
    int rootfd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) cn_child_fail(efd, CN_STEP_CHDIR_ROOTFS, errno, 0);

    if (c->mount_proc &&
        mount_in_root(rootfd, "proc", 1, "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        cn_child_fail(efd, CN_STEP_MOUNT_PROC, errno, 0);
    if (c->mount_dev) setup_dev(efd, rootfd);
    if (c->mount_sys) {
        unsigned long ro = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
        if (mount_in_root(rootfd, "sys", 1, "sysfs", "sysfs", ro, NULL) < 0) {
            // A joined netns owned by another user namespace refuses sysfs: bind the host's.
            if (mount_in_root(rootfd, "sys", 1, "/sys", NULL, MS_BIND | MS_REC, NULL) < 0 ||
                mount_in_root(rootfd, "sys", 1, NULL, NULL, MS_BIND | MS_REMOUNT | ro, NULL) < 0)
                cn_child_fail(efd, CN_STEP_MOUNT_SYS, errno, 0);
        }
    }

    for (size_t i = 0; i < c->mount_count; i++) {
        const cn_bind_mount *m = &c->mounts[i];
        int fd = ensure_in_root(rootfd, m->target, m->source_is_dir);
        if (fd < 0) cn_child_fail(efd, CN_STEP_MOUNT_TARGET, errno, (int)i);
        char path[32];
        unsigned long flags = MS_BIND | (m->recursive ? MS_REC : 0);
        if (mount(m->source, fd_path(path, fd), NULL, flags, NULL) < 0)
            cn_child_fail(efd, CN_STEP_MOUNT_BIND, errno, (int)i);
        close(fd);
        if (m->readonly) {
            // Reopen: the old fd names the covered directory, not the new mount.
            fd = open_in_root(rootfd, m->target, O_PATH);
            if (fd < 0 || mount(NULL, fd_path(path, fd), NULL,
                                MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
                cn_child_fail(efd, CN_STEP_REMOUNT_READONLY, errno, (int)i);
            close(fd);
        }
    }
    close(rootfd);

    if (syscall(SYS_pivot_root, ".", ".") < 0) cn_child_fail(efd, CN_STEP_PIVOT_ROOT, errno, 0);
    if (umount2(".", MNT_DETACH) < 0) cn_child_fail(efd, CN_STEP_UMOUNT_OLD_ROOT, errno, 0);
    if (chdir("/") < 0) cn_child_fail(efd, CN_STEP_PIVOT_ROOT, errno, 0);

    for (size_t i = 0; i < c->masked_count; i++) {
        const char *p = c->masked_paths[i];
        struct stat st;
        if (lstat(p, &st) < 0) {
            if (errno == ENOENT) continue;
            cn_child_fail(efd, CN_STEP_MASK_PATH, errno, (int)i);
        }
        int rc = S_ISDIR(st.st_mode) ? mount("tmpfs", p, "tmpfs", MS_RDONLY, "size=0")
                                     : mount("/dev/null", p, NULL, MS_BIND, NULL);
        if (rc < 0 && errno != ENOENT) cn_child_fail(efd, CN_STEP_MASK_PATH, errno, (int)i);
    }
    for (size_t i = 0; i < c->readonly_count; i++) {
        const char *p = c->readonly_paths[i];
        if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0) {
            if (errno == ENOENT) continue;
            cn_child_fail(efd, CN_STEP_READONLY_PATH, errno, (int)i);
        }
        if (mount(NULL, p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  NULL) < 0)
            cn_child_fail(efd, CN_STEP_READONLY_PATH, errno, (int)i);
    }
    if (c->readonly_rootfs && mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
        cn_child_fail(efd, CN_STEP_READONLY_ROOTFS, errno, 0);
    if (c->loopback_up) loopback_up(efd);

    cn_child_finish(c, a->sync_fd, efd);
}

// The common tail of a container's PID 1 and of an exec'd process: wait for "go", then
// working directory, stdio, privileges, execve.
__attribute__((noreturn)) void cn_child_finish(const cn_spawn_config *c, int sync_fd, int efd) {
    // The parent may now configure cgroups or the network; then it says "go".
    char go;
    ssize_t n;
    do {
        n = read(sync_fd, &go, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1) _exit(127);  // the parent gave up on us
    close(sync_fd);

    umask(022);
    if (c->cwd) {
        if (mkdir_all(c->cwd) < 0 || chdir(c->cwd) < 0) cn_child_fail(efd, CN_STEP_CHDIR_CWD, errno, 0);
    }
    // A terminal: a new session whose controlling terminal is the pty slave (stdin_fd).
    if (c->controlling_tty && setsid() < 0) cn_child_fail(efd, CN_STEP_CONTROLLING_TTY, errno, 0);
    const int stdio[3] = {c->stdin_fd, c->stdout_fd, c->stderr_fd};
    for (int i = 0; i < 3; i++) {
        if (stdio[i] >= 0 && stdio[i] != i && dup2(stdio[i], i) < 0)
            cn_child_fail(efd, CN_STEP_DUP_STDIO, errno, i);
    }
    if (c->controlling_tty && ioctl(0, TIOCSCTTY, 0) < 0)
        cn_child_fail(efd, CN_STEP_CONTROLLING_TTY, errno, 0);
    if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
        cn_child_fail(efd, CN_STEP_CLOSE_FDS, errno, 0);

    for (int cap = 0; cap <= c->cap_last_cap && cap < 64; cap++) {
        if (!(c->cap_bounding & (1ull << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 &&
            errno != EINVAL)
            cn_child_fail(efd, CN_STEP_DROP_BOUNDING, errno, cap);
    }
    if (c->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        cn_child_fail(efd, CN_STEP_NO_NEW_PRIVS, errno, 0);
    // Seccomp before the final capset: without no_new_privs it needs CAP_SYS_ADMIN.
    if (c->seccomp_filter) {
        struct sock_fprog prog = {.len = c->seccomp_filter_len,
                                  .filter = (struct sock_filter *)c->seccomp_filter};
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
            cn_child_fail(efd, CN_STEP_SECCOMP, errno, 0);
    }
    // Raw syscalls: glibc's setuid & co. would signal the parent's threads (setxid broadcast).
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) cn_child_fail(efd, CN_STEP_SETUID, errno, 0);
    if (syscall(SYS_setgroups, c->group_count, c->groups) < 0)
        cn_child_fail(efd, CN_STEP_SETGROUPS, errno, 0);
    if (syscall(SYS_setresgid, c->gid, c->gid, c->gid) < 0) cn_child_fail(efd, CN_STEP_SETGID, errno, 0);
    if (syscall(SYS_setresuid, c->uid, c->uid, c->uid) < 0) cn_child_fail(efd, CN_STEP_SETUID, errno, 0);
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) cn_child_fail(efd, CN_STEP_SETUID, errno, 0);

    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    data[0].effective = (uint32_t)c->cap_effective;
    data[1].effective = (uint32_t)(c->cap_effective >> 32);
    data[0].permitted = (uint32_t)c->cap_permitted;
    data[1].permitted = (uint32_t)(c->cap_permitted >> 32);
    data[0].inheritable = (uint32_t)c->cap_inheritable;
    data[1].inheritable = (uint32_t)(c->cap_inheritable >> 32);
    if (syscall(SYS_capset, &hdr, data) < 0) cn_child_fail(efd, CN_STEP_CAPSET, errno, 0);
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        cn_child_fail(efd, CN_STEP_AMBIENT, errno, 0);

    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        (void)syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(uint64_t));
    }
    uint64_t empty = 0;
    if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty, NULL, sizeof empty) < 0)
        cn_child_fail(efd, CN_STEP_SIGNALS, errno, 0);

    int err = ENOENT, at = 0;
    for (size_t i = 0; i < c->exec_candidate_count; i++) {
        execve(c->exec_candidates[i], c->argv, c->envp);
        int e = errno;
        if (e == ENOENT || e == ENOTDIR) {
            if (err == ENOENT) at = (int)i;
            continue;
        }
        err = e;
        at = (int)i;
        if (e != EACCES) break;
    }
    cn_child_fail(efd, CN_STEP_EXECVE, err, at);
}

// ---- parent side ----

int cn_spawn_start(const cn_spawn_config *config, cn_child *child) {
    int sync[2], errp[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sync) < 0) return -errno;
    if (pipe2(errp, O_CLOEXEC) < 0) {
        int e = errno;
        close(sync[0]);
        close(sync[1]);
        return -e;
    }
    void *stack = mmap(NULL, CHILD_STACK_SIZE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) {
        int e = errno;
        close(sync[0]);
        close(sync[1]);
        close(errp[0]);
        close(errp[1]);
        return -e;
    }
    struct child_args args = {.config = config, .sync_fd = sync[1], .error_fd = errp[1]};
    int flags = config->clone_flags | CLONE_PIDFD | SIGCHLD;
    if (config->netns_fd >= 0) flags &= ~CLONE_NEWNET;
    int pidfd = -1;
    pid_t pid = clone(child_main, (char *)stack + CHILD_STACK_SIZE, flags, &args, &pidfd);
    int e = errno;
    munmap(stack, CHILD_STACK_SIZE);
    close(sync[1]);
    close(errp[1]);
    if (pid < 0) {
        close(sync[0]);
        close(errp[0]);
        return -e;
    }
    child->pid = pid;
    child->pidfd = pidfd;
    child->sync_fd = sync[0];
    child->error_fd = errp[0];
    return 0;
}

int cn_spawn_go(cn_child *child, cn_report *report) {
    ssize_t n;
    do {
        n = send(child->sync_fd, "g", 1, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    // If the send failed the child is gone; its report (if any) is still in the pipe.
    close(child->sync_fd);
    child->sync_fd = -1;
    size_t got = 0;
    int rc = 0;
    while (got < sizeof *report) {
        n = read(child->error_fd, (char *)report + got, sizeof *report - got);
        if (n < 0) {
            if (errno == EINTR) continue;
            rc = -errno;
            break;
        }
        if (n == 0) break;
        got += (size_t)n;
    }
    close(child->error_fd);
    child->error_fd = -1;
    if (rc < 0) return rc;
    if (got == sizeof *report) return 1;
    if (got == 0) {
        // EOF: either exec'd, or died before reporting (e.g. killed). The caller's wait tells.
        return 0;
    }
    return -EPROTO;
}

void cn_spawn_abort(cn_child *child) {
    if (child->sync_fd >= 0) close(child->sync_fd);
    if (child->error_fd >= 0) close(child->error_fd);
    child->sync_fd = child->error_fd = -1;
}

int cn_pidfd_wait(int pidfd, int nonblocking, int *exited, int *code) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    int rc;
    do {
        rc = waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED | (nonblocking ? WNOHANG : 0));
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) return -errno;
    if (info.si_pid == 0) return 0;
    if (info.si_code == CLD_EXITED) {
        *exited = 1;
        *code = info.si_status;
    } else {
        *exited = 0;
        *code = info.si_status;
    }
    return 1;
}

int cn_pidfd_send_signal(int pidfd, int sig) {
    if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0) return -errno;
    return 0;
}
