/*
 * A keep-alive HTTP/1.1 server shaped like hyper 0.14 on tokio_wasi where Nagle's algorithm matters: it writes each
 * response's head and body in two sock_send calls. http_server PORT COUNT [BODY]: binds 127.0.0.1:PORT (0 = any free
 * port), prints "listening <port>", then serves COUNT connections one after another (0 = without end); on each it
 * answers every request (read until the blank line; no request body) with "200 OK", Content-Length and BODY
 * (default "hello"), until the client closes, then prints "served <requests>". Exits 0, or with the failing errno.
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

/* the end of the first blank line in buf[0, n), or NULL */
static char *head_end(char *buf, uint32_t n) {
    for (uint32_t i = 0; i + 4 <= n; i++) {
        if (memcmp(buf + i, "\r\n\r\n", 4) == 0) {
            return buf + i;
        }
    }
    return NULL;
}

static uint32_t send_all(uint32_t fd, const char *p, uint32_t n) {
    while (n > 0) {
        we_iovec_t iov = {(uint32_t)p, n};
        uint32_t sent;
        uint32_t err = we_sock_send(fd, &iov, 1, 0, &sent);
        if (err != 0) {
            return err;
        }
        p += sent;
        n -= sent;
    }
    return 0;
}

int main(int argc, char **argv) {
    uint32_t port = argc > 1 ? (uint32_t)atoi(argv[1]) : 0;
    int count = argc > 2 ? atoi(argv[2]) : 1;
    const char *body = argc > 3 ? argv[3] : "hello";
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
    char head[128];
    int head_len = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %u\r\n\r\n",
                            (unsigned)strlen(body));
    for (int i = 0; count == 0 || i < count; i++) {
        uint32_t c;
        CHECK(we_sock_accept(fd, &c));
        char buf[4096];
        uint32_t have = 0;
        unsigned requests = 0;
        for (;;) {
            char *end;
            while ((end = head_end(buf, have)) == NULL) {
                if (have == sizeof buf) {
                    printf("error: request head over %u bytes\n", (unsigned)sizeof buf);
                    return 1;
                }
                we_iovec_t iov = {(uint32_t)(buf + have), sizeof buf - have};
                uint32_t n, oflags;
                CHECK(we_sock_recv(c, &iov, 1, 0, &n, &oflags));
                if (n == 0) {
                    goto closed;
                }
                have += n;
            }
            /* two writes, as hyper's: the head, then the body */
            CHECK(send_all(c, head, (uint32_t)head_len));
            CHECK(send_all(c, body, (uint32_t)strlen(body)));
            requests++;
            uint32_t used = (uint32_t)(end + 4 - buf);
            memmove(buf, buf + used, have - used);
            have -= used;
        }
    closed:
        printf("served %u\n", requests);
        fflush(stdout);
        we_sock_shutdown(c, 3);
        close((int)c);
    }
    close((int)fd);
    return 0;
}
