#pragma once
// A thin shim over libarchive: readers for tar (optionally compressed) and raw
// decompressed streams, a disk writer, and the few macros Swift cannot import.

#include <archive.h>
#include <archive_entry.h>
#include <stddef.h>
#include <stdint.h>

/// The kind of an archive entry (libarchive's AE_IF* mode bits, importable by Swift).
typedef enum {
    CARCHIVE_KIND_OTHER = 0,
    CARCHIVE_KIND_REGULAR,
    CARCHIVE_KIND_DIRECTORY,
    CARCHIVE_KIND_SYMLINK,
    CARCHIVE_KIND_CHARDEV,
    CARCHIVE_KIND_BLOCKDEV,
    CARCHIVE_KIND_FIFO,
    CARCHIVE_KIND_SOCKET,
} carchive_kind;

/// Opens `path` for reading as a tar archive, through any compression filter
/// (gzip, zstd, xz, ...). Returns NULL only when out of memory; on open failure
/// the archive is returned with its error set (check `*status`).
struct archive *carchive_open_tar(const char *path, int *status);

/// Opens `path` as a raw stream through any compression filter, to hash the
/// decompressed bytes (a layer's diff ID).
struct archive *carchive_open_raw(const char *path, int *status);

/// A disk writer with `flags` (ARCHIVE_EXTRACT_*) and the standard user/group lookup.
struct archive *carchive_disk_writer(int flags);

/// The entry's kind, hard links report the kind of their own type field (often regular).
carchive_kind carchive_entry_kind(struct archive_entry *entry);

/// Copies the current entry's data from reader to writer. Returns ARCHIVE_OK,
/// ARCHIVE_WARN or a failure; the failing side's message is in `which` (0 = reader, 1 = writer).
int carchive_copy_data(struct archive *reader, struct archive *writer, int *which);

/// Creates an overlayfs whiteout (a 0:0 character device) at `path`. Returns 0 or errno.
int carchive_make_whiteout(const char *path);

/// Marks directory `path` opaque for overlayfs (trusted.overlay.opaque=y). Returns 0 or errno.
int carchive_make_opaque(const char *path);

/// 1 when directory `path` is marked opaque for overlayfs, 0 when not, -errno on failure.
int carchive_is_opaque(const char *path);
