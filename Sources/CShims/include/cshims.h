// Small typed wrappers around Linux calls that Swift imports awkwardly
// (packed epoll_event, variadic or macro-based APIs). Pointers never escape the caller.
#ifndef CSHIMS_H
#define CSHIMS_H
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

/// epoll: create, register and wait, with events flattened into two arrays.
int cshims_epoll_create(void);
int cshims_epoll_add(int epfd, int fd, uint64_t token, int readable, int writable, int edge);
int cshims_epoll_mod(int epfd, int fd, uint64_t token, int readable, int writable, int edge);
int cshims_epoll_del(int epfd, int fd);
/// Waits for up to `max` events; fills tokens[i] and flags[i] (bit 0 readable, 1 writable, 2 hangup/error).
int cshims_epoll_wait(int epfd, uint64_t *tokens, uint32_t *flags, int max, int timeout_ms);

/// eventfd used to wake an event loop from another thread.
int cshims_eventfd(void);
int cshims_eventfd_signal(int fd);
int cshims_eventfd_drain(int fd);

/// A non-blocking listening TCP socket on host:port (IPv4 or IPv6 literal), SO_REUSEADDR and
/// optionally SO_REUSEPORT. Returns the fd or -errno.
int cshims_listen(const char *host, int port, int backlog, int reuse_port);
/// The local port a socket is bound to, or -1.
int cshims_local_port(int fd);
/// accept4 with SOCK_NONBLOCK|SOCK_CLOEXEC and TCP_NODELAY; writes the peer address as text.
int cshims_accept(int listen_fd, char *peer, size_t peer_len);
/// A connected blocking client socket (for tests and tools), or -errno.
int cshims_connect(const char *host, int port);

ssize_t cshims_read(int fd, void *buf, size_t len);
ssize_t cshims_write(int fd, const void *buf, size_t len);
/// Writes all of buf to a blocking or regular fd (log lines), retrying short writes.
int cshims_write_all(int fd, const void *buf, size_t len);
int cshims_close(int fd);
int cshims_shutdown_write(int fd);
/// Sets SO_LINGER to 0 so close() resets the connection (used for a hard close after bad framing).
int cshims_set_linger_zero(int fd);
int cshims_set_recv_timeout_ms(int fd, int ms);
int cshims_errno(void);

/// Monotonic clock in nanoseconds.
uint64_t cshims_monotonic_ns(void);
/// Peak resident set size (VmHWM) of this process in KiB, or -1.
long cshims_peak_rss_kib(void);
/// Blocks SIGPIPE process-wide so writes to closed sockets return EPIPE.
void cshims_ignore_sigpipe(void);
/// Names the calling thread (pthread_setname_np, a GNU extension Glibc's Swift module lacks).
/// Linux keeps 15 bytes; returns 0 or an errno value (ERANGE when the name is longer).
int cshims_set_thread_name(const char *name);
#endif
