#include "carchive.h"

#include <errno.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/xattr.h>

static struct archive *open_reader(const char *path, int raw, int *status) {
    struct archive *a = archive_read_new();
    if (a == NULL) {
        *status = ARCHIVE_FATAL;
        return NULL;
    }
    archive_read_support_filter_all(a);
    if (raw) {
        archive_read_support_format_raw(a);
    } else {
        archive_read_support_format_tar(a);
    }
    *status = archive_read_open_filename(a, path, 64 * 1024);
    return a;
}

struct archive *carchive_open_tar(const char *path, int *status) {
    return open_reader(path, 0, status);
}

struct archive *carchive_open_raw(const char *path, int *status) {
    return open_reader(path, 1, status);
}

struct archive *carchive_disk_writer(int flags) {
    struct archive *w = archive_write_disk_new();
    if (w == NULL) {
        return NULL;
    }
    archive_write_disk_set_options(w, flags);
    archive_write_disk_set_standard_lookup(w);
    return w;
}

carchive_kind carchive_entry_kind(struct archive_entry *entry) {
    switch (archive_entry_filetype(entry)) {
    case AE_IFREG: return CARCHIVE_KIND_REGULAR;
    case AE_IFDIR: return CARCHIVE_KIND_DIRECTORY;
    case AE_IFLNK: return CARCHIVE_KIND_SYMLINK;
    case AE_IFCHR: return CARCHIVE_KIND_CHARDEV;
    case AE_IFBLK: return CARCHIVE_KIND_BLOCKDEV;
    case AE_IFIFO: return CARCHIVE_KIND_FIFO;
    case AE_IFSOCK: return CARCHIVE_KIND_SOCKET;
    default: return CARCHIVE_KIND_OTHER;
    }
}

int carchive_copy_data(struct archive *reader, struct archive *writer, int *which) {
    const void *buf;
    size_t size;
    la_int64_t offset;
    for (;;) {
        int r = archive_read_data_block(reader, &buf, &size, &offset);
        if (r == ARCHIVE_EOF) {
            return ARCHIVE_OK;
        }
        if (r < ARCHIVE_WARN) {
            *which = 0;
            return r;
        }
        la_ssize_t w = archive_write_data_block(writer, buf, size, offset);
        if (w < ARCHIVE_WARN) {
            *which = 1;
            return (int)w;
        }
    }
}

int carchive_make_whiteout(const char *path) {
    if (mknod(path, S_IFCHR | 0000, makedev(0, 0)) != 0) {
        return errno;
    }
    return 0;
}

int carchive_make_opaque(const char *path) {
    if (lsetxattr(path, "trusted.overlay.opaque", "y", 1, 0) != 0) {
        return errno;
    }
    return 0;
}

int carchive_is_opaque(const char *path) {
    char value[4];
    ssize_t n = lgetxattr(path, "trusted.overlay.opaque", value, sizeof(value));
    if (n < 0) {
        return errno == ENODATA ? 0 : -errno;
    }
    return n == 1 && value[0] == 'y';
}
