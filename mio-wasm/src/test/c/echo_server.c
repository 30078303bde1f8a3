/*
 * Blocking TCP echo server: echo_server PORT COUNT. Binds 127.0.0.1:PORT (0 = any free port), prints
 * "listening <port>", then serves COUNT connections one after another: echoes until EOF, prints
 * "served <bytes> from <peer-port>", shuts down and closes. Exits 0, or with the failing errno.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasmedge_sock.h"

#define CHECK(call)                                                   \
    do {                                                              \
        uint32_t err_ = (call);                                       \
        if (err_ != 0) {                                              \
            printf("error %u in %s\n", (unsigned)err_, #call);        \
            fflush(stdout);                                           \
            return (int)err_;                                         \
        }                                                             \
    } while (0)

int main(int argc, char **argv) {
    uint32_t port = argc > 1 ? (uint32_t)atoi(argv[1]) : 0;
    int count = argc > 2 ? atoi(argv[2]) : 1;
    uint32_t fd;
    CHECK(we_sock_open(WE_AF_INET4, WE_SOCK_STREAM, &fd));
    int32_t one = 1;
    CHECK(we_sock_setsockopt(fd, WE_SOL_SOCKET, WE_SO_REUSEADDR, &one, sizeof one));
    uint8_t ip[4] = {127, 0, 0, 1};
    we_address_t addr = {(uint32_t)ip, 4};
    CHECK(we_sock_bind(fd, &addr, port));
    CHECK(we_sock_listen(fd, 16));
    uint8_t local[16];
    we_address_t laddr = {(uint32_t)local, 16};
    uint32_t type, lport;
    CHECK(we_sock_getlocaladdr(fd, &laddr, &type, &lport));
    printf("listening %u\n", (unsigned)lport);
    fflush(stdout);
    for (int i = 0; i < count; i++) {
        uint32_t c;
        CHECK(we_sock_accept(fd, &c));
        uint8_t peer[16];
        we_address_t paddr = {(uint32_t)peer, 16};
        uint32_t ptype, pport;
        CHECK(we_sock_getpeeraddr(c, &paddr, &ptype, &pport));
        char buf[4096];
        uint32_t total = 0;
        for (;;) {
            we_iovec_t iov = {(uint32_t)buf, sizeof buf};
            uint32_t n, oflags;
            CHECK(we_sock_recv(c, &iov, 1, 0, &n, &oflags));
            if (n == 0) {
                break;
            }
            uint32_t off = 0;
            while (off < n) {
                we_iovec_t out = {(uint32_t)(buf + off), n - off};
                uint32_t sent;
                CHECK(we_sock_send(c, &out, 1, 0, &sent));
                off += sent;
            }
            total += n;
        }
        printf("served %u from %u type %u\n", (unsigned)total, (unsigned)pport, (unsigned)ptype);
        fflush(stdout);
        we_sock_shutdown(c, 3);
        close((int)c);
    }
    close((int)fd);
    return 0;
}
