// Process bookkeeping that outlives one runtime process: exit status through a pidfd of a
// process we are not the parent of (PIDFD_GET_INFO, Linux 6.15+), start times to recognise a
// pid again, the child subreaper bit, and passing fds over a unix socket (SCM_RIGHTS).
#include "cnamespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <pthread.h>

// linux/pidfd.h of 6.15 (the build machine's headers may be older).
struct cn_pidfd_info {
    uint64_t mask;
    uint64_t cgroupid;
    uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
    int32_t exit_code;
};
#define CN_PIDFD_GET_INFO _IOWR(0xFF, 11, struct cn_pidfd_info)
#define CN_PIDFD_INFO_EXIT (1ULL << 3)

int cn_pidfd_open(int pid) {
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    return fd < 0 ? -errno : fd;
}

int cn_pidfd_poll(int pidfd, int timeout_ms) {
    struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
    int rc;
    do { rc = poll(&pfd, 1, timeout_ms); } while (rc < 0 && errno == EINTR);
    if (rc < 0) return -errno;
    return rc > 0 ? 1 : 0;
}

int cn_pidfd_exit_info(int pidfd, int *exited, int *code) {
    struct cn_pidfd_info info;
    memset(&info, 0, sizeof info);
    info.mask = CN_PIDFD_INFO_EXIT;
    if (ioctl(pidfd, CN_PIDFD_GET_INFO, &info) < 0) return -errno;
    if (!(info.mask & CN_PIDFD_INFO_EXIT)) return 0;
    int status = info.exit_code;
    if (WIFEXITED(status)) {
        *exited = 1;
        *code = WEXITSTATUS(status);
    } else {
        *exited = 0;
        *code = WTERMSIG(status);
    }
    return 1;
}

long long cn_process_start_time(int pid) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -EIO;
    buf[n] = 0;
    // Field 2 (comm) may hold spaces and parentheses: fields resume after the last ')'.
    char *p = strrchr(buf, ')');
    if (!p) return -EIO;
    // After ") " come fields 3, 4, …; starttime is field 22.
    int field = 2;
    for (p++; *p && field < 22; p++) {
        if (*p == ' ') field++;
    }
    if (field != 22) return -EIO;
    return strtoll(p, NULL, 10);
}

int cn_set_child_subreaper(void) {
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0 ? -errno : 0;
}

int cn_reap_any(int *pid, long long *start_time, int *exited, int *code) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    int rc;
    // Peek first: the zombie's /proc entry still tells its start time.
    do { rc = waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT); } while (rc < 0 && errno == EINTR);
    if (rc < 0) return -errno;
    if (info.si_pid == 0) return 0;
    *pid = info.si_pid;
    *start_time = cn_process_start_time(info.si_pid);
    memset(&info, 0, sizeof info);
    do { rc = waitid(P_PID, (id_t)*pid, &info, WEXITED | WNOHANG); } while (rc < 0 && errno == EINTR);
    if (rc < 0) return -errno;
    *exited = info.si_code == CLD_EXITED;
    *code = info.si_status;
    return 1;
}

int cn_send_fds(int sock, const void *data, size_t len, const int *fds, int count) {
    struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
    char control[CMSG_SPACE(sizeof(int) * 8)];
    memset(control, 0, sizeof control);
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
    if (count > 8) return -EINVAL;
    if (count > 0) {
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * count);
        struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int) * count);
        memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * count);
    }
    ssize_t n;
    do { n = sendmsg(sock, &msg, MSG_NOSIGNAL); } while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : 0;
}

long cn_recv_fds(int sock, void *data, size_t len, int *fds, int max, int *count) {
    struct iovec iov = { .iov_base = data, .iov_len = len };
    char control[CMSG_SPACE(sizeof(int) * 8)];
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control };
    ssize_t n;
    do { n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC); } while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    *count = 0;
    for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
        if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS) continue;
        int got = (int)((cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        int *received = (int *)CMSG_DATA(cmsg);
        for (int i = 0; i < got; i++) {
            if (*count < max) fds[(*count)++] = received[i];
            else close(received[i]);
        }
    }
    return (long)n;
}

#include <signal.h>

static int signal_pipe_write = -1;

static void signal_pipe_handler(int sig) {
    int saved = errno;
    unsigned char byte = (unsigned char)sig;
    if (signal_pipe_write >= 0) (void)!write(signal_pipe_write, &byte, 1);
    errno = saved;
}

int cn_signal_pipe(const int *signals, size_t count) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) return -errno;
    signal_pipe_write = fds[1];
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = signal_pipe_handler;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < count; i++) {
        if (sigaction(signals[i], &action, NULL) < 0) return -errno;
    }
    return fds[0];
}

int cn_signal_pipe_read(int fd) {
    unsigned char byte;
    ssize_t n = read(fd, &byte, 1);
    if (n < 0) return errno == EAGAIN ? 0 : -errno;
    return n == 1 ? (int)byte : 0;
}

int cn_accept(int fd) {
    int client = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
    return client < 0 ? -errno : client;
}
