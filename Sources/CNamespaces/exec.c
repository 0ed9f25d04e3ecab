// An exec: a new process inside a running container's namespaces and root. Like spawn.c, the
// child does only raw syscalls between clone and execve.
#include "cnamespaces.h"
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define EXEC_STACK_SIZE (256 * 1024)

struct exec_args {
    const cn_spawn_config *config;
    int container_pidfd;
    int sync_fd;
    int error_fd;
};

static int exec_child_main(void *arg) {
    const struct exec_args *a = arg;
    // The child has its own fs_struct (no CLONE_FS) and one thread, so the kernel lets it join
    // the mount namespace; doing so sets its root and cwd to the container's root.
    int flags = CN_CLONE_NEWIPC | CN_CLONE_NEWUTS | CN_CLONE_NEWNET | CN_CLONE_NEWNS;
    if (setns(a->container_pidfd, flags) < 0) cn_child_fail(a->error_fd, CN_STEP_SETNS_CONTAINER, errno, 0);
    cn_child_finish(a->config, a->sync_fd, a->error_fd);
}

int cn_exec_start(const cn_spawn_config *config, int container_pidfd, cn_child *child) {
    // pid_for_children is per thread: point this thread's at the container's PID namespace
    // just for the clone, then back. Nothing else runs on this thread meanwhile.
    int own = open("/proc/thread-self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
    if (own < 0) return -errno;
    int sync[2], errp[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sync) < 0) {
        int e = errno;
        close(own);
        return -e;
    }
    if (pipe2(errp, O_CLOEXEC) < 0) {
        int e = errno;
        close(own);
        close(sync[0]);
        close(sync[1]);
        return -e;
    }
    void *stack = mmap(NULL, EXEC_STACK_SIZE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) {
        int e = errno;
        close(own);
        close(sync[0]);
        close(sync[1]);
        close(errp[0]);
        close(errp[1]);
        return -e;
    }
    struct exec_args args = {
        .config = config, .container_pidfd = container_pidfd, .sync_fd = sync[1], .error_fd = errp[1]};
    pid_t pid = -1;
    int pidfd = -1;
    int e = 0;
    if (setns(container_pidfd, CN_CLONE_NEWPID) < 0) {
        e = errno;
    } else {
        pid = clone(exec_child_main, (char *)stack + EXEC_STACK_SIZE, CLONE_PIDFD | SIGCHLD, &args, &pidfd);
        e = errno;
        if (setns(own, CN_CLONE_NEWPID) < 0) {
            // This thread would fork into the container from now on: never let that happen.
            abort();
        }
    }
    close(own);
    munmap(stack, EXEC_STACK_SIZE);
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

int cn_open_pty(const char *ptmx, int *master, int *slave, unsigned short rows, unsigned short cols) {
    int m = open(ptmx, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m < 0) return -errno;
    if (grantpt(m) < 0 || unlockpt(m) < 0) {
        int e = errno;
        close(m);
        return -e;
    }
    // TIOCGPTPEER opens the slave through the master: no path lookup in /dev/pts.
    int s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0) {
        int e = errno;
        close(m);
        return -e;
    }
    struct winsize ws = {.ws_row = rows, .ws_col = cols};
    (void)ioctl(m, TIOCSWINSZ, &ws);
    *master = m;
    *slave = s;
    return 0;
}

int cn_pty_resize(int master, unsigned short rows, unsigned short cols) {
    struct winsize ws = {.ws_row = rows, .ws_col = cols};
    return ioctl(master, TIOCSWINSZ, &ws) < 0 ? -errno : 0;
}
