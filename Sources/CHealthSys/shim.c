#define _GNU_SOURCE
#include "chealthsys.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

const int CHS_EPOLL_CTL_ADD = EPOLL_CTL_ADD, CHS_EPOLL_CTL_MOD = EPOLL_CTL_MOD, CHS_EPOLL_CTL_DEL = EPOLL_CTL_DEL;
const uint32_t CHS_EPOLLIN = EPOLLIN, CHS_EPOLLOUT = EPOLLOUT, CHS_EPOLLERR = EPOLLERR, CHS_EPOLLHUP = EPOLLHUP,
               CHS_EPOLLRDHUP = EPOLLRDHUP, CHS_EPOLLET = EPOLLET;

int chs_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int chs_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token) {
    struct epoll_event ev = {.events = events, .data.u64 = token};
    return epoll_ctl(epfd, op, fd, &ev);
}

int chs_epoll_wait(int epfd, struct chs_event *out, int max, int timeout_ms) {
    struct epoll_event evs[256];
    if (max > 256) max = 256;
    int n = epoll_wait(epfd, evs, max, timeout_ms);
    for (int i = 0; i < n; i++) {
        out[i].events = evs[i].events;
        out[i].token = evs[i].data.u64;
    }
    return n;
}

int chs_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

int chs_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

int chs_pipe(int fds[2], int nonblocking_end) {
    /* Only healthd's end is non-blocking: the child's end is shared with a program that expects
       ordinary blocking reads and writes. */
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    int flags = fcntl(fds[nonblocking_end], F_GETFL);
    if (flags >= 0 && fcntl(fds[nonblocking_end], F_SETFL, flags | O_NONBLOCK) == 0) return 0;
    int saved = errno;
    close(fds[0]);
    close(fds[1]);
    errno = saved;
    return -1;
}

int chs_accept(int fd) { return accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC); }

int chs_peer_credentials(int fd, pid_t *pid, uid_t *uid, gid_t *gid) {
    struct ucred cred;
    socklen_t len = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return -1;
    *pid = cred.pid;
    *uid = cred.uid;
    *gid = cred.gid;
    return 0;
}

pid_t chs_spawn(const char *const argv[], const char *const envp[], int stdin_fd, int stdout_fd, int stderr_fd) {
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t all, none;
    pid_t pid = -1;
    int rc;

    posix_spawn_file_actions_init(&fa);
    if (stdin_fd >= 0)
        posix_spawn_file_actions_adddup2(&fa, stdin_fd, 0);
    else
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, stdout_fd, 1);
    posix_spawn_file_actions_adddup2(&fa, stderr_fd, 2);

    /* The daemon ignores or blocks signals it handles itself; children must not inherit that. */
    posix_spawnattr_init(&attr);
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

    rc = posix_spawnp(&pid, argv[0], &fa, &attr, (char *const *)argv, envp ? (char *const *)envp : environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    return rc == 0 ? pid : -rc;
}

static int signal_pipe_write = -1;

static void signal_to_pipe(int signo) {
    int saved = errno;
    unsigned char b = (unsigned char)signo;
    (void)!write(signal_pipe_write, &b, 1);  /* async-signal-safe; a full pipe already has news to read */
    errno = saved;
}

int chs_signal_pipe(const int *signals, int count) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return -1;
    signal_pipe_write = fds[1];
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = signal_to_pipe;
    sa.sa_flags = SA_RESTART;
    sigfillset(&sa.sa_mask);
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < count; i++) {
        if (sigaction(signals[i], &sa, NULL) != 0) {
            int saved = errno;
            close(fds[0]);
            close(fds[1]);
            errno = saved;
            return -1;
        }
        sigaddset(&set, signals[i]);
    }
    /* A parent may have left them blocked (the mask is inherited): this thread at least takes them. */
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    return fds[0];
}

int chs_signal_pipe_read(int fd) {
    unsigned char b;
    ssize_t n = read(fd, &b, 1);
    if (n == 1) return b;
    return n < 0 ? -errno : -EIO;
}

void chs_fix_mmap_threshold(int bytes) { mallopt(M_MMAP_THRESHOLD, bytes); }

void chs_limit_malloc_arenas(int count) { mallopt(M_ARENA_MAX, count); }

void chs_malloc_trim(void) { malloc_trim(0); }

int chs_start_writeback(int fd, long long offset, long long bytes) {
    return sync_file_range(fd, offset, bytes, SYNC_FILE_RANGE_WRITE);
}

static __thread int chs_thread_lowered;

int chs_lower_thread_priority(int by) {
    if (chs_thread_lowered) return 0;
    chs_thread_lowered = 1;
    id_t tid = (id_t)syscall(SYS_gettid);
    errno = 0;
    int now = getpriority(PRIO_PROCESS, tid);
    if (now == -1 && errno != 0) return -1;
    int lowered = now + by > 19 ? 19 : now + by;
    return setpriority(PRIO_PROCESS, tid, lowered);
}

int chs_thread_niceness(void) { return getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid)); }
