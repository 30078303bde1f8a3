/*
 * io_uring echo server in C (liburing): the floor for io.mio's URING backend. One thread, one ring.
 * A multishot accept; per connection one multishot receive into a provided buffer ring (the kernel picks a
 * buffer, no read syscall); every received chunk is echoed by one send straight from that buffer, which
 * goes back to the ring when the send completes. Sends of a connection go out one at a time, in order;
 * they are only queued as SQEs, and the loop makes one io_uring_submit_and_wait per turn, which both
 * submits every queued SQE and reaps completions. TCP_NODELAY on accepted sockets.
 *
 * Usage: uring_echo plain|defer|probe [port]
 *   plain: a ring with no setup flags beyond its CQ size (the issue's calibration server);
 *   defer: IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN (completion work runs only when the loop waits);
 *   probe: set up a ring and the buffer ring, check that a multishot receive works, print "ok" and exit 0,
 *          or print the cause on stderr and exit 1 (old kernel, kernel.io_uring_disabled, seccomp).
 * Prints "READY <port>" once listening; exits when its standard input (a pipe) reaches end of file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define SQ_ENTRIES 1024
#define CQ_ENTRIES 16384   /* bursts of 10000 connections; the kernel keeps overflow (IORING_FEAT_NODROP) */
#define NBUFS 4096         /* a power of two; shared by all connections, so memory does not grow with them */
#define BUF_SIZE 4096
#define BGID 0
/* echoes a connection may hold unsent (64 KiB, the epoll server's read buffer) before its receive is paused,
 * so that a peer that does not read cannot take the shared buffers from the others */
#define MAX_QUEUED 16

/* user_data: a connection pointer (16-aligned) with the operation in its low bits, or a fixed tag. */
#define OP_RECV 1u
#define OP_SEND 2u
#define OP_MASK 15u
#define TAG_ACCEPT 16u
#define TAG_STDIN 32u
#define TAG_CANCEL 48u

struct out {
    unsigned short bid;
    unsigned len;
    unsigned off;
};

struct conn {
    int fd;
    int recv_armed;   /* a multishot receive is active */
    int sending;      /* the queue's head is in a send SQE */
    int closing;
    int waiting;      /* on the list of receives to re-arm once buffers come back */
    int paused;       /* receive cancelled: too many echoes unsent */
    struct conn *next_waiting;
    struct out *q;    /* buffers to send, in order; head first */
    unsigned q_head, q_len, q_cap;
};

static struct io_uring ring;
static struct io_uring_buf_ring *br;
static char *bufs;
static int returned;           /* buffers added to the ring since the last advance */
static int in_ring;            /* buffers the kernel can pick */
static int lfd;
static struct conn *waiting;   /* receives stopped by -ENOBUFS */

static void die(const char *what, int err) {
    fprintf(stderr, "%s: %s\n", what, strerror(err));
    exit(1);
}

static struct io_uring_sqe *sqe_get(void) {
    struct io_uring_sqe *sqe;
    while ((sqe = io_uring_get_sqe(&ring)) == NULL) {
        int r = io_uring_submit(&ring); /* the SQ is full: hand it over and go on */
        if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY) die("io_uring_submit", -r);
    }
    return sqe;
}

static void buf_return(unsigned short bid) {
    io_uring_buf_ring_add(br, bufs + (size_t) bid * BUF_SIZE, BUF_SIZE, bid, io_uring_buf_ring_mask(NBUFS), returned++);
    in_ring++;
}

static void buf_publish(void) {
    if (returned) {
        io_uring_buf_ring_advance(br, returned);
        returned = 0;
    }
}

static int setup_ring(int defer) {
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    p.flags = IORING_SETUP_CQSIZE;
    p.cq_entries = CQ_ENTRIES;
    if (defer) p.flags |= IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    int r = io_uring_queue_init_params(SQ_ENTRIES, &ring, &p);
    if (r < 0) {
        fprintf(stderr, "io_uring_setup: %s%s\n", strerror(-r),
                r == -EPERM ? " (kernel.io_uring_disabled, or a seccomp filter)"
                : r == -ENOSYS ? " (no io_uring in this kernel, or a seccomp filter)" : "");
        return -1;
    }
    size_t ring_size = NBUFS * sizeof(struct io_uring_buf);
    br = mmap(NULL, ring_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (br == MAP_FAILED) die("mmap", errno);
    struct io_uring_buf_reg reg;
    memset(&reg, 0, sizeof reg);
    reg.ring_addr = (unsigned long) (uintptr_t) br;
    reg.ring_entries = NBUFS;
    reg.bgid = BGID;
    r = io_uring_register_buf_ring(&ring, &reg, 0);
    if (r < 0) {
        fprintf(stderr, "IORING_REGISTER_PBUF_RING: %s (provided buffer rings need Linux 5.19)\n", strerror(-r));
        return -1;
    }
    /* touched only when the kernel first fills a buffer */
    bufs = mmap(NULL, (size_t) NBUFS * BUF_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (bufs == MAP_FAILED) die("mmap", errno);
    io_uring_buf_ring_init(br);
    for (unsigned short i = 0; i < NBUFS; i++) buf_return(i);
    buf_publish();
    return 0;
}

static void arm_recv(struct conn *c) {
    struct io_uring_sqe *sqe = sqe_get();
    io_uring_prep_recv_multishot(sqe, c->fd, NULL, 0, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = BGID;
    io_uring_sqe_set_data64(sqe, (uint64_t) (uintptr_t) c | OP_RECV);
    c->recv_armed = 1;
}

static void arm_accept(void) {
    struct io_uring_sqe *sqe = sqe_get();
    io_uring_prep_multishot_accept(sqe, lfd, NULL, NULL, SOCK_CLOEXEC);
    io_uring_sqe_set_data64(sqe, TAG_ACCEPT);
}

static void arm_stdin(void) {
    struct io_uring_sqe *sqe = sqe_get();
    io_uring_prep_poll_add(sqe, STDIN_FILENO, POLLIN);
    io_uring_sqe_set_data64(sqe, TAG_STDIN);
}

static void send_head(struct conn *c) {
    if (c->sending || c->q_len == 0) return;
    struct out *o = &c->q[c->q_head];
    struct io_uring_sqe *sqe = sqe_get();
    io_uring_prep_send(sqe, c->fd, bufs + (size_t) o->bid * BUF_SIZE + o->off, o->len - o->off, MSG_NOSIGNAL);
    io_uring_sqe_set_data64(sqe, (uint64_t) (uintptr_t) c | OP_SEND);
    c->sending = 1;
}

/* Cancels the connection's receive; its last CQE (-ECANCELED) comes with the receive's user_data. */
static void pause_recv(struct conn *c) {
    struct io_uring_sqe *sqe = sqe_get();
    io_uring_prep_cancel64(sqe, (uint64_t) (uintptr_t) c | OP_RECV, 0);
    io_uring_sqe_set_data64(sqe, TAG_CANCEL);
    c->paused = 1;
}

static void enqueue(struct conn *c, unsigned short bid, unsigned len) {
    if (c->q_len == c->q_cap) {
        unsigned cap = c->q_cap ? c->q_cap * 2 : 4;
        struct out *q = malloc(cap * sizeof *q);
        if (!q) die("malloc", ENOMEM);
        for (unsigned i = 0; i < c->q_len; i++) q[i] = c->q[(c->q_head + i) % c->q_cap];
        free(c->q);
        c->q = q;
        c->q_head = 0;
        c->q_cap = cap;
    }
    c->q[(c->q_head + c->q_len) % c->q_cap] = (struct out) {.bid = bid, .len = len, .off = 0};
    c->q_len++;
}

static void dequeue(struct conn *c) {
    buf_return(c->q[c->q_head].bid);
    c->q_head = (c->q_head + 1) % c->q_cap;
    c->q_len--;
}

/* Frees the connection once no operation of the ring refers to it any more. */
static void maybe_free(struct conn *c) {
    if (!c->closing || c->recv_armed || c->sending || c->waiting) return;
    close(c->fd);
    free(c->q);
    free(c);
}

/* Drops the connection: queued echoes are discarded, an active receive is ended by the shutdown. */
static void drop(struct conn *c) {
    if (c->closing) return;
    c->closing = 1;
    while (c->q_len > (c->sending ? 1u : 0u)) {
        /* the tail first: the head may be in flight */
        unsigned last = (c->q_head + c->q_len - 1) % c->q_cap;
        buf_return(c->q[last].bid);
        c->q_len--;
    }
    if (c->recv_armed) shutdown(c->fd, SHUT_RDWR);
}

static void on_recv(struct conn *c, struct io_uring_cqe *cqe) {
    int res = cqe->res;
    if (!(cqe->flags & IORING_CQE_F_MORE)) c->recv_armed = 0;
    if (res > 0 && (cqe->flags & IORING_CQE_F_BUFFER)) {
        unsigned short bid = (unsigned short) (cqe->flags >> IORING_CQE_BUFFER_SHIFT);
        in_ring--;
        if (c->closing) {
            buf_return(bid);
        } else {
            enqueue(c, bid, (unsigned) res);
            send_head(c);
            if (c->q_len >= MAX_QUEUED && c->recv_armed && !c->paused) pause_recv(c);
        }
    }
    if (!c->recv_armed && !c->closing) {
        if (res == 0 || (res < 0 && res != -ENOBUFS && res != -ECANCELED)) {
            drop(c); /* end of stream, or an error */
        } else if (c->paused) {
            /* cancelled (or ended otherwise while the cancel was on its way): on_send arms it again */
            if (c->q_len < MAX_QUEUED / 2) {
                c->paused = 0;
                arm_recv(c);
            }
        } else if (res == -ENOBUFS) {
            /* every buffer is out in a send: receive again once some come back */
            c->waiting = 1;
            c->next_waiting = waiting;
            waiting = c;
        } else {
            arm_recv(c); /* ended for another reason (e.g. the CQ overflowed): nothing is lost, go on */
        }
    }
    maybe_free(c);
}

static void on_send(struct conn *c, struct io_uring_cqe *cqe) {
    c->sending = 0;
    int res = cqe->res;
    if (res < 0 || c->closing) {
        dequeue(c);
        if (res < 0) drop(c);
    } else {
        struct out *o = &c->q[c->q_head];
        o->off += (unsigned) res;
        if (o->off >= o->len) dequeue(c);
        send_head(c); /* the rest of a short send, or the next chunk */
        if (c->paused && !c->recv_armed && c->q_len < MAX_QUEUED / 2) {
            c->paused = 0;
            arm_recv(c);
        }
    }
    maybe_free(c);
}

static void on_accept(struct io_uring_cqe *cqe) {
    int fd = cqe->res;
    if (fd >= 0) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = calloc(1, sizeof *c);
        if (!c) die("calloc", ENOMEM);
        c->fd = fd;
        arm_recv(c);
    } else if (fd != -ECONNABORTED && fd != -EINTR) {
        die("accept", -fd);
    }
    if (!(cqe->flags & IORING_CQE_F_MORE)) arm_accept();
}

static void rearm_waiting(void) {
    struct conn *c = waiting;
    waiting = NULL;
    while (c) {
        struct conn *next = c->next_waiting;
        c->waiting = 0;
        if (c->closing) maybe_free(c);
        else arm_recv(c);
        c = next;
    }
}

/* A multishot receive on a socket pair: the kernel has what the server needs (Linux 6.0 or later). */
static int probe(void) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) die("socketpair", errno);
    struct conn c;
    memset(&c, 0, sizeof c);
    c.fd = sv[0];
    arm_recv(&c);
    if (write(sv[1], "x", 1) != 1) die("write", errno);
    int r = io_uring_submit_and_wait(&ring, 1);
    if (r < 0) {
        fprintf(stderr, "io_uring_enter: %s\n", strerror(-r));
        return 1;
    }
    struct io_uring_cqe *cqe;
    r = io_uring_peek_cqe(&ring, &cqe);
    if (r < 0) die("io_uring_peek_cqe", -r);
    if (cqe->res != 1 || !(cqe->flags & IORING_CQE_F_MORE) || !(cqe->flags & IORING_CQE_F_BUFFER)) {
        fprintf(stderr, "multishot receive into a buffer ring is not supported (res %d, flags %#x; Linux 6.0 needed)\n",
                cqe->res, cqe->flags);
        return 1;
    }
    printf("ok\n");
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2 || (strcmp(argv[1], "plain") != 0 && strcmp(argv[1], "defer") != 0 && strcmp(argv[1], "probe") != 0)) {
        fprintf(stderr, "usage: %s plain|defer|probe [port]\n", argv[0]);
        return 2;
    }
    int port = argc > 2 ? atoi(argv[2]) : 0;

    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max; /* the 10000-connection run needs more than the usual 1024 */
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (setup_ring(strcmp(argv[1], "defer") == 0) < 0) return 1;
    if (strcmp(argv[1], "probe") == 0) return probe();

    lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd < 0) die("socket", errno);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short) port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *) &addr, sizeof addr) < 0) die("bind", errno);
    if (listen(lfd, 4096) < 0) die("listen", errno);
    socklen_t len = sizeof addr;
    if (getsockname(lfd, (struct sockaddr *) &addr, &len) < 0) die("getsockname", errno);

    arm_accept();
    struct stat st;
    /* only a pipe or socket can say "the harness is gone"; /dev/null or a file would end the server at once */
    int watch_stdin = fstat(STDIN_FILENO, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
    if (watch_stdin) arm_stdin();

    printf("READY %d\n", ntohs(addr.sin_port));
    fflush(stdout);

    for (;;) {
        int r = io_uring_submit_and_wait(&ring, 1);
        if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY) die("io_uring_submit_and_wait", -r);
        struct io_uring_cqe *cqe;
        unsigned head, seen = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            uint64_t ud = io_uring_cqe_get_data64(cqe);
            seen++;
            if (ud == TAG_CANCEL) {
                /* nothing to do: the cancelled receive reports on its own */
            } else if (ud == TAG_ACCEPT) {
                on_accept(cqe);
            } else if (ud == TAG_STDIN) {
                char b[256];
                if (read(STDIN_FILENO, b, sizeof b) <= 0) return 0;
                arm_stdin();
            } else {
                struct conn *c = (struct conn *) (uintptr_t) (ud & ~(uint64_t) OP_MASK);
                if ((ud & OP_MASK) == OP_RECV) on_recv(c, cqe);
                else on_send(c, cqe);
            }
        }
        io_uring_cq_advance(&ring, seen);
        buf_publish();
        if (waiting && in_ring > 0) rearm_waiting();
    }
}
