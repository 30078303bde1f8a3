/*
 * UDP client on WasmEdge's V1 socket functions: udp_client A.B.C.D PORT MESSAGE.
 * Opens a datagram socket (no bind: the first send binds it), checks SO_TYPE, sends MESSAGE with sock_send_to
 * (4-byte address), waits with poll() (poll_oneoff through wasi-libc, 5 s), receives the reply with the 7-argument
 * sock_recv_from (V1: raw IP only) and prints "reply <text> from <a.b.c.d>". Then it connects the socket to the
 * same peer, sends MESSAGE again with sock_send, receives with sock_recv and prints "connected reply <text>",
 * shuts down and closes. Errors print "error <errno> in <call>" and become the exit code.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasmedge_sock.h"

#define WE_SO_TYPE 1

/* 7 arguments: WasmEdge links this to V1 */
WE_IMPORT("sock_recv_from") uint32_t we_sock_recv_from(uint32_t fd, we_iovec_t *iov, uint32_t iov_len,
                                                       we_address_t *addr, uint32_t flags, uint32_t *recv_len,
                                                       uint32_t *oflags);
WE_IMPORT("sock_send_to") uint32_t we_sock_send_to(uint32_t fd, const we_iovec_t *iov, uint32_t iov_len,
                                                   const we_address_t *addr, uint32_t port, uint32_t flags,
                                                   uint32_t *send_len);

#define CHECK(call)                                                   \
    do {                                                              \
        uint32_t err_ = (call);                                       \
        if (err_ != 0) {                                              \
            printf("error %u in %s\n", (unsigned)err_, #call);        \
            fflush(stdout);                                           \
            return (int)err_;                                         \
        }                                                             \
    } while (0)

static int wait_readable(uint32_t fd) {
    struct pollfd p = {(int)fd, POLLIN, 0};
    int r = poll(&p, 1, 5000);
    if (r != 1 || !(p.revents & POLLIN)) {
        printf("error poll %d %d\n", r, p.revents);
        fflush(stdout);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        printf("usage: udp_client A.B.C.D PORT MESSAGE\n");
        return 1;
    }
    uint8_t ip[4];
    unsigned a, b, c, d;
    if (sscanf(argv[1], "%u.%u.%u.%u", &a, &b, &c, &d) != 4) {
        printf("bad address %s\n", argv[1]);
        return 1;
    }
    ip[0] = (uint8_t)a, ip[1] = (uint8_t)b, ip[2] = (uint8_t)c, ip[3] = (uint8_t)d;
    uint32_t port = (uint32_t)atoi(argv[2]);
    const char *msg = argv[3];

    uint32_t fd;
    CHECK(we_sock_open(WE_AF_INET4, WE_SOCK_DGRAM, &fd));
    int32_t type = 0;
    uint32_t size = sizeof type;
    CHECK(we_sock_getsockopt(fd, WE_SOL_SOCKET, WE_SO_TYPE, &type, &size));
    if (type != WE_SOCK_DGRAM) {
        printf("error SO_TYPE %d\n", (int)type);
        return 1;
    }

    we_address_t to = {(uint32_t)ip, 4};
    we_iovec_t out = {(uint32_t)msg, (uint32_t)strlen(msg)};
    uint32_t sent = 0;
    CHECK(we_sock_send_to(fd, &out, 1, &to, port, 0, &sent));
    if (wait_readable(fd)) {
        return 1;
    }
    char buf[512];
    uint8_t from[4] = {0, 0, 0, 0};
    we_address_t faddr = {(uint32_t)from, 4};
    we_iovec_t in = {(uint32_t)buf, sizeof buf - 1};
    uint32_t got = 0, oflags = 0;
    CHECK(we_sock_recv_from(fd, &in, 1, &faddr, 0, &got, &oflags));
    buf[got] = 0;
    printf("reply %s from %u.%u.%u.%u\n", buf, from[0], from[1], from[2], from[3]);
    fflush(stdout);

    CHECK(we_sock_connect(fd, &to, port));
    CHECK(we_sock_send(fd, &out, 1, 0, &sent));
    if (wait_readable(fd)) {
        return 1;
    }
    CHECK(we_sock_recv(fd, &in, 1, 0, &got, &oflags));
    buf[got] = 0;
    printf("connected reply %s\n", buf);
    fflush(stdout);
    CHECK(we_sock_shutdown(fd, 3));
    close((int)fd);
    return 0;
}
