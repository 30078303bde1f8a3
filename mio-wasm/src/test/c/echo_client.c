/*
 * Blocking TCP echo client: echo_client HOST PORT MESSAGE. Resolves HOST with sock_getaddrinfo, connects,
 * sends MESSAGE with write() (fd_write), shuts down writing, reads the reply to EOF and prints "reply <reply>". Exits 0, or with the
 * failing errno.
 */
#include <errno.h>
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
    if (argc < 4) {
        printf("usage: echo_client HOST PORT MESSAGE\n");
        return 1;
    }
    const char *host = argv[1];
    const char *service = argv[2];
    const char *msg = argv[3];

    /* sock_getaddrinfo: lengths include the trailing NUL, as wasmedge_wasi_socket passes them */
    we_addrinfo_t hints = {0};
    hints.ai_family = WE_AF_INET4;
    hints.ai_socktype = WE_SOCK_STREAM;
    hints.ai_protocol = 1;
    we_addrinfo_t res[4];
    we_sockaddr_t sa[4];
    uint8_t data[4][26];
    memset(res, 0, sizeof res);
    for (int i = 0; i < 4; i++) {
        sa[i].sa_family = 0;
        sa[i].sa_data_len = 26;
        sa[i].sa_data = (uint32_t)data[i];
        res[i].ai_addr = (uint32_t)&sa[i];
        res[i].ai_next = i < 3 ? (uint32_t)&res[i + 1] : 0;
    }
    uint32_t first = (uint32_t)&res[0];
    uint32_t nres = 0;
    CHECK(we_sock_getaddrinfo((const uint8_t *)host, strlen(host) + 1, (const uint8_t *)service,
                              strlen(service) + 1, &hints, &first, 4, &nres));
    if (nres == 0) {
        printf("no address\n");
        return 1;
    }
    uint32_t port = ((uint32_t)data[0][0] << 8) | data[0][1];
    uint8_t ip[4];
    memcpy(ip, &data[0][2], 4);

    uint32_t fd;
    CHECK(we_sock_open(WE_AF_INET4, WE_SOCK_STREAM, &fd));
    we_address_t addr = {(uint32_t)ip, 4};
    CHECK(we_sock_connect(fd, &addr, port));
    size_t len = strlen(msg);
    size_t off = 0;
    while (off < len) { /* wasi-libc write(): fd_write on a socket */
        ssize_t sent = write((int)fd, msg + off, len - off);
        if (sent < 0) {
            printf("error %d in write\n", errno);
            return errno;
        }
        off += (size_t)sent;
    }
    CHECK(we_sock_shutdown(fd, 2));
    char reply[8192];
    size_t got = 0;
    for (;;) {
        we_iovec_t iov = {(uint32_t)(reply + got), (uint32_t)(sizeof reply - 1 - got)};
        uint32_t n, oflags;
        CHECK(we_sock_recv(fd, &iov, 1, 0, &n, &oflags));
        if (n == 0 || got + n >= sizeof reply - 1) {
            got += n;
            break;
        }
        got += n;
    }
    reply[got] = 0;
    printf("reply %s\n", reply);
    fflush(stdout);
    close((int)fd);
    return 0;
}
