/*
 * Blocking TCP echo server that traps on demand, for WasmHost's isolation tests: trap_echo PORT. Binds
 * 127.0.0.1:PORT (0 = any free port), prints "listening <port>", then serves connections one after another for
 * ever, echoing until EOF. A chunk that starts with "trap" makes it execute `unreachable` (a trap, as a Rust panic
 * ends). A failed call exits with its errno (a sock_accept refused with MFILE: 76).
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
    uint32_t fd;
    CHECK(we_sock_open(WE_AF_INET4, WE_SOCK_STREAM, &fd));
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
    for (;;) {
        uint32_t c;
        CHECK(we_sock_accept(fd, &c));
        char buf[4096];
        for (;;) {
            we_iovec_t iov = {(uint32_t)buf, sizeof buf};
            uint32_t n, oflags;
            CHECK(we_sock_recv(c, &iov, 1, 0, &n, &oflags));
            if (n == 0) {
                break;
            }
            if (n >= 4 && memcmp(buf, "trap", 4) == 0) {
                __builtin_trap();
            }
            uint32_t off = 0;
            while (off < n) {
                we_iovec_t out = {(uint32_t)(buf + off), n - off};
                uint32_t sent;
                CHECK(we_sock_send(c, &out, 1, 0, &sent));
                off += sent;
            }
        }
        we_sock_shutdown(c, 3);
        close((int)c);
    }
}
