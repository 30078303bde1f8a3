/*
 * The benchmark's own wasm echo guest, written the way an event loop on WasmEdge's socket API would be written
 * for speed (mio_wasi with its epoll feature does the same): echo_guest PORT COUNT [poll|epoll].
 *
 * Binds 127.0.0.1:PORT, prints "listening <port>", then loops on epoll_oneoff (edge-triggered; default) or
 * poll_oneoff (level-triggered) with one FD_READ subscription per socket that stays the same from call to call,
 * so the host need not re-arm anything. A readable connection is read into one shared 64 KiB buffer and the data
 * is sent back at once (no wait for FD_WRITE first); reading stops at a short read, when the receive queue is
 * empty. Only a send that would block parks the rest and subscribes that connection to FD_WRITE until it is
 * written. No clock subscription: the loop blocks until a socket is ready. Exits after COUNT connections closed.
 *
 * Build (committed as echo_guest.wasm; needs clang-14, lld-14, wasi-libc):
 *   clang-14 --target=wasm32-wasi --sysroot=/usr -O2 -Wall -Werror -Wl,--strip-debug -o echo_guest.wasm echo_guest.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(name)))

typedef struct {
    uint8_t *buf;
    uint32_t size;
} address_t;

typedef struct {
    uint8_t *buf;
    uint32_t len;
} iovec_t;

typedef struct { /* __wasi_subscription_t: 48 bytes */
    uint64_t userdata;
    uint8_t tag;
    uint8_t pad[7];
    uint64_t u[4];
} subscription_t;

typedef struct { /* __wasi_event_t: 32 bytes */
    uint64_t userdata;
    uint16_t error;
    uint8_t type;
    uint8_t pad[5];
    uint64_t nbytes;
    uint16_t flags;
    uint8_t pad2[6];
} event_t;

IMPORT("sock_open") uint32_t sock_open(uint32_t af, uint32_t type, uint32_t *fd);
IMPORT("sock_setsockopt") uint32_t sock_setsockopt(uint32_t fd, int32_t level, int32_t name, int32_t *flag, uint32_t len);
IMPORT("sock_bind") uint32_t sock_bind(uint32_t fd, address_t *addr, uint32_t port);
IMPORT("sock_listen") uint32_t sock_listen(uint32_t fd, uint32_t backlog);
IMPORT("sock_accept") uint32_t sock_accept(uint32_t fd, uint32_t *newfd);
IMPORT("sock_getlocaladdr") uint32_t sock_getlocaladdr(uint32_t fd, address_t *addr, uint32_t *type, uint32_t *port);
IMPORT("sock_recv") uint32_t sock_recv(uint32_t fd, iovec_t *iov, uint32_t n, uint32_t flags, uint32_t *got, uint32_t *oflags);
IMPORT("sock_send") uint32_t sock_send(uint32_t fd, iovec_t *iov, uint32_t n, uint32_t flags, uint32_t *sent);
IMPORT("sock_shutdown") uint32_t sock_shutdown(uint32_t fd, uint32_t how);
IMPORT("fd_close") uint32_t fd_close(uint32_t fd);
IMPORT("fd_fdstat_get") uint32_t fd_fdstat_get(uint32_t fd, uint8_t *stat);
IMPORT("fd_fdstat_set_flags") uint32_t fd_fdstat_set_flags(uint32_t fd, uint32_t flags);
IMPORT("poll_oneoff") uint32_t poll_oneoff(subscription_t *in, event_t *out, uint32_t n, uint32_t *nevents);
IMPORT("epoll_oneoff") uint32_t epoll_oneoff(subscription_t *in, event_t *out, uint32_t n, uint32_t *nevents);

#define AGAIN 6
#define FD_READ 1
#define FD_WRITE 2
#define LISTENER UINT64_MAX
#define BUF (64 * 1024)

struct conn {
    uint32_t fd;
    int open;
    uint8_t *pending; /* unsent rest of an echo, or NULL */
    uint32_t len, off;
};

static struct conn *conns;
static uint32_t nconns, capconns;
static subscription_t *subs;
static event_t *events;
static uint32_t capsubs;
static uint8_t buf[BUF];

static void die(const char *what, uint32_t err) {
    printf("error %u in %s\n", (unsigned)err, what);
    fflush(stdout);
    exit(1);
}

static void nonblocking(uint32_t fd) {
    uint8_t stat[24];
    uint32_t err = fd_fdstat_get(fd, stat);
    if (err) die("fd_fdstat_get", err);
    uint16_t flags = (uint16_t)(stat[2] | stat[3] << 8) | 4; /* NONBLOCK */
    err = fd_fdstat_set_flags(fd, flags);
    if (err) die("fd_fdstat_set_flags", err);
}

static void drop(uint32_t i) {
    sock_shutdown(conns[i].fd, 3);
    fd_close(conns[i].fd);
    free(conns[i].pending);
    conns[i].pending = NULL;
    conns[i].open = 0;
}

/* Sends buf[0..len) on connection i; parks what does not fit. Returns 0, or -1 if the connection failed. */
static int send_all(uint32_t i, uint8_t *data, uint32_t len) {
    while (len > 0) {
        iovec_t iov = {data, len};
        uint32_t sent;
        uint32_t err = sock_send(conns[i].fd, &iov, 1, 0, &sent);
        if (err == AGAIN) {
            conns[i].pending = malloc(len);
            memcpy(conns[i].pending, data, len);
            conns[i].len = len;
            conns[i].off = 0;
            return 0;
        }
        if (err) return -1;
        data += sent;
        len -= sent;
    }
    return 0;
}

/* Reads and echoes until a short read, AGAIN or a parked send. Returns -1 when the connection is done. */
static int echo(uint32_t i) {
    for (;;) {
        iovec_t iov = {buf, BUF};
        uint32_t got, oflags;
        uint32_t err = sock_recv(conns[i].fd, &iov, 1, 0, &got, &oflags);
        if (err == AGAIN) return 0;
        if (err || got == 0) return -1;
        if (send_all(i, buf, got) < 0) return -1;
        if (conns[i].pending || got < BUF) return 0;
    }
}

static int flush(uint32_t i) {
    struct conn *c = &conns[i];
    while (c->off < c->len) {
        iovec_t iov = {c->pending + c->off, c->len - c->off};
        uint32_t sent;
        uint32_t err = sock_send(c->fd, &iov, 1, 0, &sent);
        if (err == AGAIN) return 0;
        if (err) return -1;
        c->off += sent;
    }
    free(c->pending);
    c->pending = NULL;
    return echo(i); /* reading resumes: what arrived meanwhile raised no new edge for us */
}

static void sub(uint32_t k, uint64_t userdata, uint8_t tag, uint32_t fd) {
    memset(&subs[k], 0, sizeof subs[k]);
    subs[k].userdata = userdata;
    subs[k].tag = tag;
    subs[k].u[0] = fd;
}

int main(int argc, char **argv) {
    uint32_t port = argc > 1 ? (uint32_t)atoi(argv[1]) : 0;
    long count = argc > 2 ? atol(argv[2]) : 1;
    int edge = !(argc > 3 && strcmp(argv[3], "poll") == 0);
    uint32_t lfd, err;
    if ((err = sock_open(1, 2, &lfd))) die("sock_open", err);
    int32_t one = 1;
    if ((err = sock_setsockopt(lfd, 0, 0, &one, 4))) die("sock_setsockopt", err);
    uint8_t ip[4] = {127, 0, 0, 1};
    address_t addr = {ip, 4};
    if ((err = sock_bind(lfd, &addr, port))) die("sock_bind", err);
    if ((err = sock_listen(lfd, 4096))) die("sock_listen", err);
    nonblocking(lfd);
    uint8_t local[16];
    address_t laddr = {local, 16};
    uint32_t type, lport;
    if ((err = sock_getlocaladdr(lfd, &laddr, &type, &lport))) die("sock_getlocaladdr", err);
    printf("listening %u\n", (unsigned)lport);
    fflush(stdout);

    long closed = 0;
    while (closed < count) {
        if (capsubs < nconns + 1) {
            capsubs = (nconns + 1) * 2;
            subs = realloc(subs, capsubs * sizeof *subs);
            events = realloc(events, capsubs * sizeof *events);
        }
        uint32_t n = 0;
        sub(n++, LISTENER, FD_READ, lfd);
        for (uint32_t i = 0; i < nconns; i++) {
            if (conns[i].open) sub(n++, i, conns[i].pending ? FD_WRITE : FD_READ, conns[i].fd);
        }
        uint32_t nev;
        err = edge ? epoll_oneoff(subs, events, n, &nev) : poll_oneoff(subs, events, n, &nev);
        if (err) die("poll", err);
        for (uint32_t e = 0; e < nev; e++) {
            if (events[e].error) die("event", events[e].error);
            if (events[e].userdata == LISTENER) {
                for (;;) {
                    uint32_t fd;
                    err = sock_accept(lfd, &fd);
                    if (err == AGAIN) break;
                    if (err) die("sock_accept", err);
                    nonblocking(fd);
                    uint32_t i = 0;
                    while (i < nconns && conns[i].open) i++;
                    if (i == nconns) {
                        if (nconns == capconns) {
                            capconns = capconns ? capconns * 2 : 64;
                            conns = realloc(conns, capconns * sizeof *conns);
                        }
                        nconns++;
                    }
                    conns[i] = (struct conn){fd, 1, NULL, 0, 0};
                    if (echo(i) < 0) { /* data may have come with the connection: no edge will tell */
                        drop(i);
                        closed++;
                    }
                }
                continue;
            }
            uint32_t i = (uint32_t)events[e].userdata;
            if (i >= nconns || !conns[i].open) continue;
            int r = conns[i].pending ? flush(i) : echo(i);
            if (r < 0) {
                drop(i);
                closed++;
            }
        }
    }
    fd_close(lfd);
    return 0;
}
