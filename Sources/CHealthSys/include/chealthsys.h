#ifndef CHEALTHSYS_H
#define CHEALTHSYS_H

#include <stdint.h>
#include <sys/types.h>

/* Thin wrappers for the Linux calls Glibc's Swift module does not expose cleanly.
   Each returns -1 and leaves errno set on failure, like the call it wraps. */

struct chs_event {
    uint32_t events;
    uint64_t token;
};

int chs_epoll_create(void);
int chs_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token);
int chs_epoll_wait(int epfd, struct chs_event *out, int max, int timeout_ms);

extern const int CHS_EPOLL_CTL_ADD, CHS_EPOLL_CTL_MOD, CHS_EPOLL_CTL_DEL;
extern const uint32_t CHS_EPOLLIN, CHS_EPOLLOUT, CHS_EPOLLERR, CHS_EPOLLHUP, CHS_EPOLLRDHUP, CHS_EPOLLET;

int chs_eventfd(void);
int chs_pidfd_open(pid_t pid);

/* Close-on-exec pipe; only fds[nonblocking_end] is non-blocking. */
int chs_pipe(int fds[2], int nonblocking_end);

/* accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC. */
int chs_accept(int fd);

/* The peer's credentials on a connected Unix socket. */
int chs_peer_credentials(int fd, pid_t *pid, uid_t *uid, gid_t *gid);

/* Starts argv[0] (looked up in PATH) in a new process group with default signal handling,
   stdin from stdin_fd (/dev/null when < 0), stdout and stderr to the given fds, with envp
   (healthd's own environment when NULL). Returns the pid or -errno. */
pid_t chs_spawn(const char *const argv[], const char *const envp[], int stdin_fd, int stdout_fd, int stderr_fd);

/* Installs a handler for `signals` that writes each one's number to a pipe, and returns the pipe's
   non-blocking read end (or -1): the self-pipe trick, so any thread may take the signal and none
   is lost between installation and the first read. */
int chs_signal_pipe(const int *signals, int count);

/* The number of the next signal read from that pipe, or -errno (-EAGAIN when none is pending). */
int chs_signal_pipe_read(int fd);

/* Fixes glibc's mmap threshold at `bytes` (it would otherwise rise after the first large free), so that large
   transient buffers are mapped apart and returned when freed. */
void chs_fix_mmap_threshold(int bytes);

/* Caps the number of glibc malloc arenas (M_ARENA_MAX). */
void chs_limit_malloc_arenas(int count);

/* Returns free memory in every malloc arena to the system (malloc_trim(0)). */
void chs_malloc_trim(void);

/* Starts writing back a file's dirty pages in [offset, offset + bytes) without waiting (sync_file_range). */
int chs_start_writeback(int fd, long long offset, long long bytes);

/* Adds `by` to the calling thread's nice value (at most 19), once per thread (later calls do nothing); -1 with errno
   on failure. */
int chs_lower_thread_priority(int by);

/* The calling thread's nice value. */
int chs_thread_niceness(void);

#endif
