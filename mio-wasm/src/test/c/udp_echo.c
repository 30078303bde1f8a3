/*
 * UDP echo server on WasmEdge's V2 socket functions and epoll_oneoff: udp_echo PORT COUNT.
 * Binds 127.0.0.1:PORT with sock_bind_v2 (128-byte address storage), prints "listening <port>" (from
 * sock_getlocaladdr_v2), makes the socket non-blocking (fcntl), then waits with epoll_oneoff (edge-triggered: one
 * FD_READ subscription with userdata = fd, as wasi_mio does, plus a 100 ms monotonic clock) and on each wake-up
 * drains every datagram until AGAIN with the 8-argument sock_recv_from (V2: family, IP and port of the sender),
 * printing "from <a.b.c.d> <port> <len>" and sending it back with sock_send_to_v2 to that address. After COUNT
 * datagrams it prints "done <bytes> <idle wake-ups>" and exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

#include "wasmedge_sock.h"

WE_IMPORT("sock_bind_v2") uint32_t we_sock_bind_v2(uint32_t fd, we_address_t *addr, uint32_t port);
WE_IMPORT("sock_getlocaladdr_v2") uint32_t we_sock_getlocaladdr_v2(uint32_t fd, we_address_t *addr, uint32_t *port);
/* 8 arguments: WasmEdge links this to V2, as for wasmedge_wasi_socket 0.5 */
WE_IMPORT("sock_recv_from") uint32_t we_sock_recv_from(uint32_t fd, we_iovec_t *iov, uint32_t iov_len,
                                                       we_address_t *addr, uint32_t flags, uint32_t *port,
                                                       uint32_t *recv_len, uint32_t *oflags);
WE_IMPORT("sock_send_to_v2") uint32_t we_sock_send_to_v2(uint32_t fd, const we_iovec_t *iov, uint32_t iov_len,
                                                         const we_address_t *addr, uint32_t port, uint32_t flags,
                                                         uint32_t *send_len);
WE_IMPORT("epoll_oneoff") uint32_t we_epoll_oneoff(const __wasi_subscription_t *in, __wasi_event_t *out,
                                                   uint32_t nsubs, uint32_t *nevents);

#define CHECK(call)                                                   \
    do {                                                              \
        uint32_t err_ = (call);                                       \
        if (err_ != 0) {                                              \
            printf("error %u in %s\n", (unsigned)err_, #call);        \
            fflush(stdout);                                           \
            return (int)err_;                                         \
        }                                                             \
    } while (0)

/* WasmEdge's V2 address storage: u16 family, then the address */
typedef struct {
    uint16_t family;
    uint8_t addr[126];
} storage_t;

_Static_assert(sizeof(storage_t) == 128, "storage layout");

int main(int argc, char **argv) {
    uint32_t port = argc > 1 ? (uint32_t)atoi(argv[1]) : 0;
    int count = argc > 2 ? atoi(argv[2]) : 1;

    uint32_t fd;
    CHECK(we_sock_open(WE_AF_INET4, WE_SOCK_DGRAM, &fd));
    storage_t st;
    memset(&st, 0, sizeof st);
    st.family = WE_AF_INET4;
    st.addr[0] = 127;
    st.addr[3] = 1;
    we_address_t addr = {(uint32_t)&st, sizeof st};
    CHECK(we_sock_bind_v2(fd, &addr, port));
    int flags = fcntl((int)fd, F_GETFL);
    if (flags < 0 || fcntl((int)fd, F_SETFL, flags | O_NONBLOCK) != 0) {
        printf("error fcntl %d\n", errno);
        return 1;
    }
    storage_t local;
    we_address_t laddr = {(uint32_t)&local, sizeof local};
    uint32_t lport = 0;
    CHECK(we_sock_getlocaladdr_v2(fd, &laddr, &lport));
    if (local.family != WE_AF_INET4) {
        printf("error family %u\n", (unsigned)local.family);
        return 1;
    }
    printf("listening %u\n", (unsigned)lport);
    fflush(stdout);

    static char buf[65536];
    int served = 0;
    unsigned long total = 0;
    unsigned idle = 0;
    while (served < count) {
        __wasi_subscription_t subs[2];
        memset(subs, 0, sizeof subs);
        subs[0].userdata = fd;
        subs[0].u.tag = __WASI_EVENTTYPE_FD_READ;
        subs[0].u.u.fd_read.file_descriptor = fd;
        subs[1].userdata = UINT64_MAX;
        subs[1].u.tag = __WASI_EVENTTYPE_CLOCK;
        subs[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
        subs[1].u.u.clock.timeout = 100000000ull;
        subs[1].u.u.clock.precision = 1000000ull;
        __wasi_event_t evs[2];
        uint32_t n = 0;
        CHECK(we_epoll_oneoff(subs, evs, 2, &n));
        int readable = 0;
        for (uint32_t k = 0; k < n; k++) {
            if (evs[k].error != 0) {
                printf("error %u in event %llu\n", (unsigned)evs[k].error, (unsigned long long)evs[k].userdata);
                return 1;
            }
            if (evs[k].type == __WASI_EVENTTYPE_FD_READ && evs[k].userdata == fd) {
                readable = 1;
            }
        }
        if (!readable) {
            idle++;
            continue;
        }
        for (;;) { /* edge-triggered: drain */
            storage_t from;
            memset(&from, 0, sizeof from);
            we_address_t faddr = {(uint32_t)&from, sizeof from};
            uint32_t fport = 0, got = 0, oflags = 0;
            we_iovec_t iov = {(uint32_t)buf, sizeof buf};
            uint32_t err = we_sock_recv_from(fd, &iov, 1, &faddr, 0, &fport, &got, &oflags);
            if (err == EAGAIN) {
                break;
            }
            CHECK(err);
            printf("from %u.%u.%u.%u %u %u\n", from.addr[0], from.addr[1], from.addr[2], from.addr[3],
                   (unsigned)fport, (unsigned)got);
            fflush(stdout);
            we_iovec_t out = {(uint32_t)buf, got};
            uint32_t sent = 0;
            CHECK(we_sock_send_to_v2(fd, &out, 1, &faddr, fport, 0, &sent));
            total += sent;
            served++;
        }
    }
    printf("done %lu %u\n", total, idle);
    fflush(stdout);
    close((int)fd);
    return 0;
}
