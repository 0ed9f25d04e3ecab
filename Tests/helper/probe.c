// probe: a tiny static binary the integration tests copy into a container's rootfs and run to
// report what the container sees (like crun's tests/init). One command per run, `key=value` lines.
//
//   probe hostname | status | pids | ifaces | unshare | mount | clone-newns | clone3
//   probe read PATH | write PATH TEXT | ls DIR | exit N | segv | sleep SECONDS
//   probe alloc MIB            touch MIB mebibytes, one at a time, printing progress
//   probe ignore-term SECONDS  PID 1 without a SIGTERM handler: SIGTERM does nothing
//   probe trap-term SECONDS    exits 3 on SIGTERM
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *err_name(int e) {
    switch (e) {
    case 0: return "OK";
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case ENOENT: return "ENOENT";
    case EROFS: return "EROFS";
    case ENOSYS: return "ENOSYS";
    case EINVAL: return "EINVAL";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    default: return "OTHER";
    }
}

static void print_status(void) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) { printf("status=%s\n", err_name(errno)); return; }
    char line[512];
    while (fgets(line, sizeof line, f)) {
        static const char *keys[] = {"CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:",
                                     "NoNewPrivs:", "Seccomp:", "Uid:", "Gid:", "Groups:"};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
            size_t n = strlen(keys[i]);
            if (strncmp(line, keys[i], n) == 0) {
                char *v = line + n;
                while (*v == ' ' || *v == '\t') v++;
                v[strcspn(v, "\n")] = 0;
                for (size_t end = strlen(v); end > 0 && (v[end - 1] == ' ' || v[end - 1] == '\t'); end--)
                    v[end - 1] = 0;
                // "Uid: 0 0 0 0" -> first field only
                if (i >= 7 && i <= 8) v[strcspn(v, "\t ")] = 0;
                printf("%.*s=%s\n", (int)(n - 1), keys[i], v);
            }
        }
    }
    fclose(f);
}

static void print_pids(void) {
    DIR *d = opendir("/proc");
    if (!d) { printf("pids=%s\n", err_name(errno)); return; }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        char path[300], comm[64] = "";
        snprintf(path, sizeof path, "/proc/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (f) {
            if (fgets(comm, sizeof comm, f)) comm[strcspn(comm, "\n")] = 0;
            fclose(f);
        }
        printf("pid=%s %s\n", e->d_name, comm);
    }
    closedir(d);
}

static void print_ifaces(void) {
    struct if_nameindex *list = if_nameindex();
    if (!list) { printf("ifaces=%s\n", err_name(errno)); return; }
    for (struct if_nameindex *i = list; i->if_index; i++) printf("iface=%s\n", i->if_name);
    if_freenameindex(list);
}

static void sleep_seconds(const char *s) {
    int n = s ? atoi(s) : 60;
    for (int i = 0; i < n * 10; i++) usleep(100000);
}

static void on_term(int sig) { (void)sig; _exit(3); }

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    const char *cmd = argc > 1 ? argv[1] : "status";
    if (!strcmp(cmd, "hostname")) {
        char h[256] = "";
        gethostname(h, sizeof h);
        printf("hostname=%s\n", h);
    } else if (!strcmp(cmd, "status")) {
        print_status();
    } else if (!strcmp(cmd, "pids")) {
        printf("self=%d\n", getpid());
        print_pids();
    } else if (!strcmp(cmd, "ifaces")) {
        print_ifaces();
    } else if (!strcmp(cmd, "unshare")) {
        int rc = unshare(CLONE_NEWNS);
        printf("unshare=%s\n", err_name(rc < 0 ? errno : 0));
    } else if (!strcmp(cmd, "mount")) {
        int rc = mount("none", "/tmp", "tmpfs", 0, NULL);
        printf("mount=%s\n", err_name(rc < 0 ? errno : 0));
    } else if (!strcmp(cmd, "clone-newns")) {
        long rc = syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0);
        if (rc == 0) _exit(0);
        if (rc > 0) waitpid((pid_t)rc, NULL, 0);
        printf("clone_newns=%s\n", err_name(rc < 0 ? errno : 0));
    } else if (!strcmp(cmd, "clone3")) {
        long rc = syscall(SYS_clone3, NULL, 0);
        printf("clone3=%s\n", err_name(rc < 0 ? errno : 0));
    } else if (!strcmp(cmd, "read") && argc > 2) {
        int fd = open(argv[2], O_RDONLY);
        if (fd < 0) { printf("read=%s\n", err_name(errno)); return 1; }
        char buf[4096];
        ssize_t total = 0, n;
        printf("content=");
        while ((n = read(fd, buf, sizeof buf)) > 0) {
            fwrite(buf, 1, (size_t)n, stdout);
            total += n;
        }
        printf("\nbytes=%zd\n", total);
        close(fd);
    } else if (!strcmp(cmd, "write") && argc > 3) {
        int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = fd < 0 ? errno : 0;
        if (fd >= 0 && write(fd, argv[3], strlen(argv[3])) < 0) e = errno;
        if (fd >= 0) close(fd);
        printf("write=%s\n", err_name(e));
    } else if (!strcmp(cmd, "ls") && argc > 2) {
        DIR *d = opendir(argv[2]);
        if (!d) { printf("ls=%s\n", err_name(errno)); return 1; }
        struct dirent *e;
        while ((e = readdir(d)))
            if (e->d_name[0] != '.') printf("entry=%s\n", e->d_name);
        closedir(d);
    } else if (!strcmp(cmd, "exit") && argc > 2) {
        return atoi(argv[2]);
    } else if (!strcmp(cmd, "segv")) {
        volatile int *p = NULL;
        *p = 1;
    } else if (!strcmp(cmd, "sleep")) {
        sleep_seconds(argc > 2 ? argv[2] : NULL);
    } else if (!strcmp(cmd, "ignore-term")) {
        printf("ready\n");
        sleep_seconds(argc > 2 ? argv[2] : NULL);
    } else if (!strcmp(cmd, "trap-term")) {
        signal(SIGTERM, on_term);
        printf("ready\n");
        sleep_seconds(argc > 2 ? argv[2] : NULL);
    } else if (!strcmp(cmd, "alloc") && argc > 2) {
        int mib = atoi(argv[2]);
        for (int i = 1; i <= mib; i++) {
            char *p = malloc(1 << 20);
            if (!p) { printf("alloc=ENOMEM at %d\n", i); return 1; }
            memset(p, 1, 1 << 20);
            if (i % 16 == 0) printf("allocated=%d\n", i);
        }
        printf("alloc=OK\n");
    } else {
        fprintf(stderr, "probe: unknown command %s\n", cmd);
        return 2;
    }
    return 0;
}
