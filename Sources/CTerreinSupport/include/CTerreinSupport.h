#ifndef TERREIN_SUPPORT_H
#define TERREIN_SUPPORT_H

/// Atomically exchange two paths (Linux renameat2 with RENAME_EXCHANGE).
/// Returns 0 on success, -1 with errno set otherwise (ENOSYS/EINVAL where the
/// kernel or file system cannot exchange).
int terrein_rename_exchange(const char *from, const char *to);

/// Ignore SIGXFSZ so that exceeding the file-size limit makes write(2) fail with
/// EFBIG instead of killing the process.
void terrein_ignore_sigxfsz(void);

/// Ignore SIGPIPE so a closed pipe on stdout makes writes fail instead of killing us.
void terrein_ignore_sigpipe(void);

/* syncfs(2) on the file system holding fd: 0 or -1 with errno. */
int terrein_syncfs(int fd);

#endif
