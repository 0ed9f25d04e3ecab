// Shared by the child code of spawn.c and exec.c (not part of the module's interface).
#pragma once

#include "cnamespaces.h"

/// Reports `{step, err, index}` on the error pipe and exits 127.
__attribute__((noreturn)) void cn_child_fail(int error_fd, int step, int err, int index);

/// Waits for "go" on `sync_fd`, then working directory, stdio, privileges and execve; reports
/// the failing step on `error_fd` otherwise.
__attribute__((noreturn)) void cn_child_finish(const cn_spawn_config *c, int sync_fd, int error_fd);
