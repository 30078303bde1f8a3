/*
 * Non-blocking TCP client in mio_wasi's style: nb_client IP PORT MESSAGE. Opens a socket, makes it non-blocking
 * (fcntl), connects (expects INPROGRESS), waits for POLLOUT with poll(), reads SO_ERROR, then sends MESSAGE,
 * shuts down writing and reads the reply to EOF with read() (fd_read), waiting with poll() whenever a call
 * returns EAGAIN.
 * Prints "reply <reply>" or "connect error <errno>".
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasmedge_sock.h"

static int wait_for(int fd, short events) {
    struct pollfd p = {.fd = fd, .events = events};
    int r = poll(&p, 1, 5000);
    return r == 1 ? 0 : -1;
}

static int parse_ip(const char *s, uint8_t ip[4]) {
    unsigned a, b, c, d;
    if (sscanf(s, "%u.%u.%u.%u", &a, &b, &c, &d) != 4) {
        return -1;
    }
    ip[0] = (uint8_t)a;
    ip[1] = (uint8_t)b;
    ip[2] = (uint8_t)c;
    ip[3] = (uint8_t)d;
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        printf("usage: nb_client IP PORT MESSAGE\n");
        return 1;
    }
    uint8_t ip[4];
    if (parse_ip(argv[1], ip) != 0) {
        printf("bad ip\n");
        return 1;
    }
    uint32_t port = (uint32_t)atoi(argv[2]);
    const char *msg = argv[3];
    uint32_t fd;
    uint32_t err = we_sock_open(WE_AF_INET4, WE_SOCK_STREAM, &fd);
    if (err != 0) {
        printf("open error %u\n", (unsigned)err);
        return (int)err;
    }
    int flags = fcntl((int)fd, F_GETFL);
    if (flags < 0 || fcntl((int)fd, F_SETFL, flags | O_NONBLOCK) != 0) {
        printf("fcntl error %d\n", errno);
        return 1;
    }
    we_address_t addr = {(uint32_t)ip, 4};
    err = we_sock_connect(fd, &addr, port);
    if (err != 0 && err != EINPROGRESS) {
        printf("connect error %u\n", (unsigned)err);
        return (int)err;
    }
    if (err == EINPROGRESS) {
        if (wait_for((int)fd, POLLOUT) != 0) {
            printf("connect timeout\n");
            return 1;
        }
        int32_t so_error = -1;
        uint32_t len = sizeof so_error;
        err = we_sock_getsockopt(fd, WE_SOL_SOCKET, WE_SO_ERROR, &so_error, &len);
        if (err != 0 || so_error != 0) {
            printf("connect error %d\n", err != 0 ? (int)err : (int)so_error);
            return err != 0 ? (int)err : (int)so_error;
        }
    }
    size_t total = strlen(msg);
    size_t off = 0;
    while (off < total) {
        we_iovec_t iov = {(uint32_t)(msg + off), (uint32_t)(total - off)};
        uint32_t sent;
        err = we_sock_send(fd, &iov, 1, 0, &sent);
        if (err == EAGAIN) {
            wait_for((int)fd, POLLOUT);
            continue;
        }
        if (err != 0) {
            printf("send error %u\n", (unsigned)err);
            return (int)err;
        }
        off += sent;
    }
    we_sock_shutdown(fd, 2);
    char reply[4096];
    size_t got = 0;
    for (;;) {
        /* wasi-libc read(): fd_read on a socket */
        ssize_t r = read((int)fd, reply + got, sizeof reply - 1 - got);
        if (r < 0 && errno == EAGAIN) {
            if (wait_for((int)fd, POLLIN) != 0) {
                printf("recv timeout\n");
                return 1;
            }
            continue;
        }
        if (r < 0) {
            printf("read error %d\n", errno);
            return errno;
        }
        size_t n = (size_t)r;
        if (n == 0 || got + n >= sizeof reply - 1) {
            got += n;
            break;
        }
        got += n;
    }
    reply[got] = 0;
    printf("reply %s\n", reply);
    fflush(stdout);
    we_sock_shutdown(fd, 3);
    close((int)fd);
    return 0;
}
