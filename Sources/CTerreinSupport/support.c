#define _GNU_SOURCE
#include "CTerreinSupport.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

int terrein_rename_exchange(const char *from, const char *to) {
#ifdef SYS_renameat2
    return (int)syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, RENAME_EXCHANGE);
#else
    errno = ENOSYS;
    return -1;
#endif
}

void terrein_ignore_sigxfsz(void) { signal(SIGXFSZ, SIG_IGN); }
void terrein_ignore_sigpipe(void) { signal(SIGPIPE, SIG_IGN); }

/* syncfs(2) (a GNU extension, not in Swift's Glibc module): makes every file of the file
 * system holding fd durable, reporting write-back errors since Linux 5.8. */
int terrein_syncfs(int fd) { return syncfs(fd); }
