/*
 * Event-loop TCP echo server on wasi-libc's poll() (poll_oneoff): poll_server PORT COUNT. Binds 127.0.0.1:PORT,
 * prints "listening <port>", makes every socket non-blocking with fcntl (fd_fdstat_get / fd_fdstat_set_flags),
 * serves connections concurrently, echoing what each sends; after COUNT connections have closed it prints
 * "done <total bytes> <idle timeouts>" and exits. Each poll has a 100 ms timeout, so idle wake-ups are counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasmedge_sock.h"

#define MAXC 16
#define BUF 8192

#define CHECK(call)                                                   \
    do {                                                              \
        uint32_t err_ = (call);                                       \
        if (err_ != 0) {                                              \
            printf("error %u in %s\n", (unsigned)err_, #call);        \
            fflush(stdout);                                           \
            return (int)err_;                                         \
        }                                                             \
    } while (0)

struct conn {
    int fd;
    char buf[BUF];
    uint32_t len; /* bytes waiting to be echoed */
    uint32_t off;
    int eof;
};

static struct conn conns[MAXC];

static int set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) {
        return -1;
    }
    return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

static void drop(int i) {
    we_sock_shutdown((uint32_t)conns[i].fd, 3);
    close(conns[i].fd);
    conns[i].fd = -1;
}

int main(int argc, char **argv) {
    uint32_t port = argc > 1 ? (uint32_t)atoi(argv[1]) : 0;
    int count = argc > 2 ? atoi(argv[2]) : 1;
    for (int i = 0; i < MAXC; i++) {
        conns[i].fd = -1;
    }
    uint32_t lfd;
    CHECK(we_sock_open(WE_AF_INET4, WE_SOCK_STREAM, &lfd));
    int32_t one = 1;
    CHECK(we_sock_setsockopt(lfd, WE_SOL_SOCKET, WE_SO_REUSEADDR, &one, sizeof one));
    uint8_t ip[4] = {127, 0, 0, 1};
    we_address_t addr = {(uint32_t)ip, 4};
    CHECK(we_sock_bind(lfd, &addr, port));
    CHECK(we_sock_listen(lfd, 128));
    if (set_nonblocking((int)lfd) != 0) {
        printf("error fcntl %d\n", errno);
        return 1;
    }
    uint8_t local[4];
    we_address_t laddr = {(uint32_t)local, 4};
    uint32_t type, lport;
    CHECK(we_sock_getlocaladdr(lfd, &laddr, &type, &lport));
    printf("listening %u\n", (unsigned)lport);
    fflush(stdout);

    int closed = 0;
    unsigned long total = 0;
    unsigned idle = 0;
    while (closed < count) {
        struct pollfd pfds[MAXC + 1];
        int map[MAXC + 1];
        int n = 0;
        pfds[n].fd = (int)lfd;
        pfds[n].events = POLLIN;
        map[n++] = -1;
        for (int i = 0; i < MAXC; i++) {
            if (conns[i].fd < 0) {
                continue;
            }
            pfds[n].fd = conns[i].fd;
            pfds[n].events = conns[i].len > conns[i].off ? POLLOUT : POLLIN;
            map[n++] = i;
        }
        int r = poll(pfds, (nfds_t)n, 100);
        if (r < 0) {
            printf("error poll %d\n", errno);
            return 1;
        }
        if (r == 0) {
            idle++;
            continue;
        }
        for (int k = 0; k < n; k++) {
            short re = pfds[k].revents;
            if (re == 0) {
                continue;
            }
            if (map[k] < 0) {
                for (;;) { /* accept until AGAIN */
                    uint32_t c;
                    uint32_t err = we_sock_accept(lfd, &c);
                    if (err == EAGAIN) {
                        break;
                    }
                    if (err != 0) {
                        printf("error %u in accept\n", (unsigned)err);
                        return (int)err;
                    }
                    if (set_nonblocking((int)c) != 0) {
                        printf("error fcntl %d\n", errno);
                        return 1;
                    }
                    int slot = -1;
                    for (int i = 0; i < MAXC; i++) {
                        if (conns[i].fd < 0) {
                            slot = i;
                            break;
                        }
                    }
                    if (slot < 0) {
                        close((int)c);
                        continue;
                    }
                    conns[slot].fd = (int)c;
                    conns[slot].len = conns[slot].off = 0;
                    conns[slot].eof = 0;
                }
                continue;
            }
            struct conn *cn = &conns[map[k]];
            if (cn->len > cn->off) { /* flushing */
                we_iovec_t iov = {(uint32_t)(cn->buf + cn->off), cn->len - cn->off};
                uint32_t sent;
                uint32_t err = we_sock_send((uint32_t)cn->fd, &iov, 1, 0, &sent);
                if (err == EAGAIN) {
                    continue;
                }
                if (err != 0) {
                    drop(map[k]);
                    closed++;
                    continue;
                }
                cn->off += sent;
                total += sent;
                if (cn->off == cn->len) {
                    cn->off = cn->len = 0;
                    if (cn->eof) {
                        drop(map[k]);
                        closed++;
                    }
                }
                continue;
            }
            we_iovec_t iov = {(uint32_t)cn->buf, BUF};
            uint32_t got, oflags;
            uint32_t err = we_sock_recv((uint32_t)cn->fd, &iov, 1, 0, &got, &oflags);
            if (err == EAGAIN) {
                continue;
            }
            if (err != 0 || got == 0) {
                drop(map[k]);
                closed++;
                continue;
            }
            cn->len = got;
            cn->off = 0;
        }
    }
    printf("done %lu %u\n", total, idle);
    fflush(stdout);
    close((int)lfd);
    return 0;
}
