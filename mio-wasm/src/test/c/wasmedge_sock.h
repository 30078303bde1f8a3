/*
 * WasmEdge's socket imports (module wasi_snapshot_preview1), declared directly as wasmedge_wasi_socket 0.5
 * declares them: V1 forms (2-argument accept, 4-argument getlocaladdr/getpeeraddr). Every function returns a
 * WASI errno (0 = success). Test guests of mio-wasm: our own code.
 */
#ifndef WASMEDGE_SOCK_H
#define WASMEDGE_SOCK_H

#include <stdint.h>

#define WE_IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(name)))

#define WE_AF_INET4 1
#define WE_AF_INET6 2
#define WE_SOCK_DGRAM 1
#define WE_SOCK_STREAM 2
#define WE_SOL_SOCKET 0
#define WE_SO_REUSEADDR 0
#define WE_SO_ERROR 2

typedef struct {
    uint32_t buf;
    uint32_t buf_len;
} we_address_t;

typedef struct {
    uint32_t buf;
    uint32_t buf_len;
} we_iovec_t;

typedef struct {
    uint16_t ai_flags;
    uint8_t ai_family;
    uint8_t ai_socktype;
    uint8_t ai_protocol;
    uint32_t ai_addrlen;
    uint32_t ai_addr;
    uint32_t ai_canonname;
    uint32_t ai_canonname_len;
    uint32_t ai_next;
} we_addrinfo_t;

typedef struct {
    uint8_t sa_family;
    uint32_t sa_data_len;
    uint32_t sa_data;
} we_sockaddr_t;

WE_IMPORT("sock_open") uint32_t we_sock_open(uint32_t af, uint32_t type, uint32_t *fd);
WE_IMPORT("sock_bind") uint32_t we_sock_bind(uint32_t fd, we_address_t *addr, uint32_t port);
WE_IMPORT("sock_listen") uint32_t we_sock_listen(uint32_t fd, uint32_t backlog);
WE_IMPORT("sock_accept") uint32_t we_sock_accept(uint32_t fd, uint32_t *newfd);
WE_IMPORT("sock_connect") uint32_t we_sock_connect(uint32_t fd, we_address_t *addr, uint32_t port);
WE_IMPORT("sock_recv") uint32_t we_sock_recv(uint32_t fd, we_iovec_t *iov, uint32_t iov_len, uint32_t flags,
                                             uint32_t *recv_len, uint32_t *oflags);
WE_IMPORT("sock_send") uint32_t we_sock_send(uint32_t fd, const we_iovec_t *iov, uint32_t iov_len, uint32_t flags,
                                             uint32_t *send_len);
WE_IMPORT("sock_shutdown") uint32_t we_sock_shutdown(uint32_t fd, uint32_t how);
WE_IMPORT("sock_getlocaladdr") uint32_t we_sock_getlocaladdr(uint32_t fd, we_address_t *addr, uint32_t *addr_type,
                                                             uint32_t *port);
WE_IMPORT("sock_getpeeraddr") uint32_t we_sock_getpeeraddr(uint32_t fd, we_address_t *addr, uint32_t *addr_type,
                                                           uint32_t *port);
WE_IMPORT("sock_getsockopt") uint32_t we_sock_getsockopt(uint32_t fd, int32_t level, int32_t name, int32_t *flag,
                                                         uint32_t *flag_size);
WE_IMPORT("sock_setsockopt") uint32_t we_sock_setsockopt(uint32_t fd, int32_t level, int32_t name,
                                                         const int32_t *flag, uint32_t flag_size);
WE_IMPORT("sock_getaddrinfo") uint32_t we_sock_getaddrinfo(const uint8_t *node, uint32_t node_len,
                                                           const uint8_t *service, uint32_t service_len,
                                                           const we_addrinfo_t *hints, uint32_t *res,
                                                           uint32_t max_len, uint32_t *res_len);

_Static_assert(sizeof(we_addrinfo_t) == 28, "addrinfo layout");
_Static_assert(sizeof(we_sockaddr_t) == 12, "sockaddr layout");

#endif
