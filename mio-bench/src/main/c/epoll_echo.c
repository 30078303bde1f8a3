/*
 * Edge-triggered epoll echo server in C: the floor the Java servers of the benchmark are measured against.
 * One thread, one 64 KiB read buffer shared by all connections, TCP_NODELAY, accept4/SOCK_NONBLOCK.
 *
 * Usage: epoll_echo drain|short [port]
 *   drain: read until EAGAIN after every edge (the textbook rule);
 *   short: stop at a short read (the receive queue is then empty; the next byte raises a new edge),
 *          which saves one read per round trip, like io.mio's examples and tokio.
 * Prints "READY <port>" once listening; exits when its standard input reaches end of file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_SIZE (64 * 1024)
#define MAX_EVENTS 1024
#define LISTENER_TAG ((void *) 1)
#define STDIN_TAG ((void *) 2)

struct conn {
    int fd;
    char *backlog;      /* bytes of an echo that did not fit in the send buffer */
    size_t backlog_off;
    size_t backlog_len;
};

static int ep;
static int drain_mode;
static char buffer[BUF_SIZE];

static void die(const char *what) {
    perror(what);
    exit(1);
}

static void drop(struct conn *c) {
    close(c->fd); /* also removes it from the epoll set */
    free(c->backlog);
    free(c);
}

static void set_events(struct conn *c, unsigned events) {
    struct epoll_event ev = {.events = events | EPOLLET, .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0) die("epoll_ctl(MOD)");
}

/* Writes buf[0, len); keeps what does not fit. Returns 0 on success, -1 if the connection failed. */
static int echo_out(struct conn *c, const char *buf, size_t len) {
    size_t off = 0;
    while (off < len) {
        ssize_t n = send(c->fd, buf + off, len - off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN) return -1;
            c->backlog = malloc(len - off);
            if (!c->backlog) die("malloc");
            memcpy(c->backlog, buf + off, len - off);
            c->backlog_off = 0;
            c->backlog_len = len - off;
            set_events(c, EPOLLIN | EPOLLOUT);
            return 0;
        }
        off += (size_t) n;
    }
    return 0;
}

/* Returns 1 when the backlog is gone, 0 if some remains, -1 if the connection failed. */
static int flush_backlog(struct conn *c) {
    while (c->backlog_off < c->backlog_len) {
        ssize_t n = send(c->fd, c->backlog + c->backlog_off, c->backlog_len - c->backlog_off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno == EAGAIN ? 0 : -1;
        }
        c->backlog_off += (size_t) n;
    }
    free(c->backlog);
    c->backlog = NULL;
    set_events(c, EPOLLIN);
    return 1;
}

/* Serves one event of a connection. Returns -1 when it should be dropped. */
static int serve(struct conn *c, unsigned events) {
    if (c->backlog) {
        if (!(events & EPOLLOUT)) return 0;
        int r = flush_backlog(c);
        if (r <= 0) return r;
    }
    for (;;) {
        ssize_t n = recv(c->fd, buffer, BUF_SIZE, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno == EAGAIN ? 0 : -1;
        }
        if (n == 0) return -1;
        if (echo_out(c, buffer, (size_t) n) < 0) return -1;
        if (c->backlog) return 0;               /* stop reading until the backlog is written */
        if (!drain_mode && n < BUF_SIZE) return 0; /* short read: the queue is empty */
    }
}

static void accept_all(int lfd) {
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EAGAIN) return;
            die("accept4");
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = calloc(1, sizeof *c);
        if (!c) die("calloc");
        c->fd = fd;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.ptr = c};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl(ADD)");
    }
}

int main(int argc, char **argv) {
    if (argc < 2 || (strcmp(argv[1], "drain") != 0 && strcmp(argv[1], "short") != 0)) {
        fprintf(stderr, "usage: %s drain|short [port]\n", argv[0]);
        return 2;
    }
    drain_mode = strcmp(argv[1], "drain") == 0;
    int port = argc > 2 ? atoi(argv[2]) : 0;

    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max; /* the 10000-connection run needs more than the usual 1024 */
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (lfd < 0) die("socket");
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short) port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *) &addr, sizeof addr) < 0) die("bind");
    if (listen(lfd, 4096) < 0) die("listen");
    socklen_t len = sizeof addr;
    if (getsockname(lfd, (struct sockaddr *) &addr, &len) < 0) die("getsockname");

    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = LISTENER_TAG};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0) die("epoll_ctl(listener)");
    struct epoll_event in_ev = {.events = EPOLLIN, .data.ptr = STDIN_TAG};
    epoll_ctl(ep, EPOLL_CTL_ADD, STDIN_FILENO, &in_ev); /* fails harmlessly if stdin is a regular file */

    printf("READY %d\n", ntohs(addr.sin_port));
    fflush(stdout);

    struct epoll_event events[MAX_EVENTS];
    for (;;) {
        int n = epoll_wait(ep, events, MAX_EVENTS, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        for (int i = 0; i < n; i++) {
            void *tag = events[i].data.ptr;
            if (tag == LISTENER_TAG) {
                accept_all(lfd);
            } else if (tag == STDIN_TAG) {
                char b[256];
                if (read(STDIN_FILENO, b, sizeof b) <= 0) return 0;
            } else {
                struct conn *c = tag;
                if (serve(c, events[i].events) < 0) drop(c);
            }
        }
    }
}
