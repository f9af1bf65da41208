#define _GNU_SOURCE
#include "cshims.h"
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint32_t mask(int readable, int writable, int edge) {
    uint32_t m = 0;
    if (readable) m |= EPOLLIN | EPOLLRDHUP;
    if (writable) m |= EPOLLOUT;
    if (edge) m |= EPOLLET;
    return m;
}

int cshims_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int cshims_epoll_add(int epfd, int fd, uint64_t token, int readable, int writable, int edge) {
    struct epoll_event ev; memset(&ev, 0, sizeof ev);
    ev.events = mask(readable, writable, edge); ev.data.u64 = token;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

int cshims_epoll_mod(int epfd, int fd, uint64_t token, int readable, int writable, int edge) {
    struct epoll_event ev; memset(&ev, 0, sizeof ev);
    ev.events = mask(readable, writable, edge); ev.data.u64 = token;
    return epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev);
}

int cshims_epoll_del(int epfd, int fd) { return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL); }

int cshims_epoll_wait(int epfd, uint64_t *tokens, uint32_t *flags, int max, int timeout_ms) {
    struct epoll_event evs[256];
    if (max > 256) max = 256;
    int n;
    do { n = epoll_wait(epfd, evs, max, timeout_ms); } while (n < 0 && errno == EINTR);
    for (int i = 0; i < n; i++) {
        tokens[i] = evs[i].data.u64;
        uint32_t f = 0, e = evs[i].events;
        if (e & (EPOLLIN | EPOLLPRI)) f |= 1;
        if (e & EPOLLOUT) f |= 2;
        if (e & (EPOLLERR | EPOLLHUP | EPOLLRDHUP)) f |= 4;
        flags[i] = f;
    }
    return n;
}

int cshims_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }
int cshims_eventfd_signal(int fd) { uint64_t one = 1; return (int)write(fd, &one, sizeof one); }
int cshims_eventfd_drain(int fd) { uint64_t v; return (int)read(fd, &v, sizeof v); }

int cshims_listen(const char *host, int port, int backlog, int reuse_port) {
    int v6 = strchr(host, ':') != NULL;
    int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (reuse_port) setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    int rc;
    if (v6) {
        struct sockaddr_in6 a; memset(&a, 0, sizeof a);
        a.sin6_family = AF_INET6; a.sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host, &a.sin6_addr) != 1) { close(fd); return -EINVAL; }
        rc = bind(fd, (struct sockaddr *)&a, sizeof a);
    } else {
        struct sockaddr_in a; memset(&a, 0, sizeof a);
        a.sin_family = AF_INET; a.sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, host, &a.sin_addr) != 1) { close(fd); return -EINVAL; }
        rc = bind(fd, (struct sockaddr *)&a, sizeof a);
    }
    if (rc < 0) { int e = errno; close(fd); return -e; }
    if (listen(fd, backlog) < 0) { int e = errno; close(fd); return -e; }
    return fd;
}

int cshims_local_port(int fd) {
    struct sockaddr_storage ss; socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) return -1;
    if (ss.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return -1;
}

int cshims_accept(int listen_fd, char *peer, size_t peer_len) {
    struct sockaddr_storage ss; socklen_t len = sizeof ss;
    int fd = accept4(listen_fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return -errno;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (peer && peer_len > 0) {
        peer[0] = 0;
        if (ss.ss_family == AF_INET) inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, peer, (socklen_t)peer_len);
        else if (ss.ss_family == AF_INET6) inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, peer, (socklen_t)peer_len);
    }
    return fd;
}

int cshims_connect(const char *host, int port) {
    int v6 = strchr(host, ':') != NULL;
    int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int rc;
    if (v6) {
        struct sockaddr_in6 a; memset(&a, 0, sizeof a);
        a.sin6_family = AF_INET6; a.sin6_port = htons((uint16_t)port);
        inet_pton(AF_INET6, host, &a.sin6_addr);
        rc = connect(fd, (struct sockaddr *)&a, sizeof a);
    } else {
        struct sockaddr_in a; memset(&a, 0, sizeof a);
        a.sin_family = AF_INET; a.sin_port = htons((uint16_t)port);
        inet_pton(AF_INET, host, &a.sin_addr);
        rc = connect(fd, (struct sockaddr *)&a, sizeof a);
    }
    if (rc < 0) { int e = errno; close(fd); return -e; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

ssize_t cshims_read(int fd, void *buf, size_t len) {
    ssize_t n;
    do { n = read(fd, buf, len); } while (n < 0 && errno == EINTR);
    return n;
}

ssize_t cshims_write(int fd, const void *buf, size_t len) {
    ssize_t n;
    do { n = send(fd, buf, len, MSG_NOSIGNAL); } while (n < 0 && errno == EINTR);
    return n;
}

int cshims_write_all(int fd, const void *buf, size_t len) {
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) { if (errno == EINTR) continue; return -1; }
        p += n; len -= (size_t)n;
    }
    return 0;
}

int cshims_close(int fd) { return close(fd); }
int cshims_shutdown_write(int fd) { return shutdown(fd, SHUT_WR); }

int cshims_set_linger_zero(int fd) {
    struct linger l = { .l_onoff = 1, .l_linger = 0 };
    return setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

int cshims_set_recv_timeout_ms(int fd, int ms) {
    struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
    return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

int cshims_errno(void) { return errno; }

uint64_t cshims_monotonic_ns(void) {
    struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

long cshims_peak_rss_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256]; long v = -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmHWM:", 6) == 0) { sscanf(line + 6, "%ld", &v); break; }
    }
    fclose(f);
    return v;
}

void cshims_ignore_sigpipe(void) { signal(SIGPIPE, SIG_IGN); }

int cshims_set_thread_name(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}
