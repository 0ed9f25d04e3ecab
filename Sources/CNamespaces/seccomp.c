// Seccomp filters built with libseccomp in the parent and exported as a BPF program, so the
// child only has to call seccomp(2). libseccomp 2.5 has no in-memory export: go through a memfd.
#include "cnamespaces.h"

#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int cn_seccomp_build(const char *const *names, const int *errnos, size_t count,
                     int deny_clone_namespaces, void **filter, size_t *len) {
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx) return -ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < count; i++) {
        int nr = seccomp_syscall_resolve_name(names[i]);
        if (nr == __NR_SCMP_ERROR) continue;  // not a syscall on this architecture
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO((uint32_t)errnos[i]), nr, 0);
        if (rc < 0 && rc != -EEXIST) goto out;
        rc = 0;
    }
    if (deny_clone_namespaces) {
        static const uint64_t flags[] = {CN_CLONE_NEWNS,  CN_CLONE_NEWCGROUP, CN_CLONE_NEWUTS,
                                         CN_CLONE_NEWIPC, CN_CLONE_NEWUSER,   CN_CLONE_NEWPID,
                                         CN_CLONE_NEWNET};
        for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
            rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                                  SCMP_A0(SCMP_CMP_MASKED_EQ, flags[i], flags[i]));
            if (rc < 0) goto out;
        }
    }
    int fd = memfd_create("seccomp-bpf", MFD_CLOEXEC);
    if (fd < 0) {
        rc = -errno;
        goto out;
    }
    rc = seccomp_export_bpf(ctx, fd);
    if (rc < 0) {
        close(fd);
        goto out;
    }
    off_t size = lseek(fd, 0, SEEK_END);
    if (size <= 0 || size % 8 != 0) {
        close(fd);
        rc = -EPROTO;
        goto out;
    }
    void *buf = malloc((size_t)size);
    if (!buf) {
        close(fd);
        rc = -ENOMEM;
        goto out;
    }
    ssize_t got = pread(fd, buf, (size_t)size, 0);
    close(fd);
    if (got != size) {
        free(buf);
        rc = -EIO;
        goto out;
    }
    *filter = buf;
    *len = (size_t)size / 8;
    rc = 0;
out:
    seccomp_release(ctx);
    return rc;
}
