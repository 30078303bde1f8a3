package io.mio.wasm;

import com.dylibso.chicory.wasi.WasiPreview1;
import io.mio.Events;
import io.mio.Poll;

import java.io.IOException;

/**
 * The bottom layer of a guest's socket host ({@link SocketHost}): the WASI and WasmEdge constants of the ABI and
 * what every layer shares (the guest's WASI host, its sandbox, its {@link Poll}). The host is built in layers, each
 * a file with one concern and each extending the one below: HostState, {@link SocketTable} (the descriptor table),
 * {@link Readiness} (the Poll, registrations, known readiness and blocking waits), {@link SocketOptions}
 * (sock_setsockopt / sock_getsockopt), {@link SocketCalls} (open, bind, listen, accept, connect, shutdown,
 * get*addr), {@link StreamIo} (sock_recv / sock_send, fd_read / fd_write), {@link DatagramIo} (UDP, sock_recv_from /
 * sock_send_to), {@link AddrInfo} (sock_getaddrinfo), {@link PollOneoff} (poll_oneoff / epoll_oneoff) and
 * {@link SocketHost} (linking, the preview 1 calls on sockets, close); {@link Addresses} and {@link Iovecs} are
 * the codecs they share. Not thread-safe, as SocketHost.
 */
abstract class HostState {
    /** The first socket fd number. */
    public static final int FD_BASE = 1 << 20;
    static final String WASI = "wasi_snapshot_preview1";

    // WASI constants
    static final int EVENTTYPE_CLOCK = 0;
    static final int EVENTTYPE_FD_READ = 1;
    static final int EVENTTYPE_FD_WRITE = 2;
    static final int CLOCK_REALTIME = 0;
    static final int CLOCK_MONOTONIC = 1;
    static final int SUBCLOCK_ABSTIME = 1;
    static final int EVENT_HANGUP = 1;
    static final int FDFLAGS_APPEND = 1;
    static final int FDFLAGS_DSYNC = 2;
    static final int FDFLAGS_NONBLOCK = 4;
    static final int FDFLAGS_RSYNC = 8;
    static final int FDFLAGS_SYNC = 16;
    static final int FDFLAGS_ALL = 0x1F;
    static final int FILETYPE_SOCKET_STREAM = 6;
    static final int RIFLAGS_PEEK = 1;
    static final int RIFLAGS_WAITALL = 2;
    static final int ROFLAGS_TRUNCATED = 1;
    static final int IOV_MAX = 1024;
    static final long SOCKET_RIGHTS = (1L << 1) /* FD_READ */ | (1L << 3) /* FD_FDSTAT_SET_FLAGS */
            | (1L << 6) /* FD_WRITE */ | (1L << 27) /* POLL_FD_READWRITE */ | (1L << 28) /* SOCK_SHUTDOWN */
            | (1L << 29) /* SOCK_OPEN */ | (1L << 30) /* SOCK_CLOSE */ | (1L << 31) /* SOCK_BIND */
            | (1L << 32) /* SOCK_RECV */ | (1L << 33) /* SOCK_RECV_FROM */ | (1L << 34) /* SOCK_SEND */
            | (1L << 35) /* SOCK_SEND_TO */;
    // socket options (level 0 = SOL_SOCKET only)
    static final int SO_REUSEADDR = 0;
    static final int SO_TYPE = 1;
    static final int SO_ERROR = 2;
    static final int SO_DONTROUTE = 3;
    static final int SO_BROADCAST = 4;
    static final int SO_SNDBUF = 5;
    static final int SO_RCVBUF = 6;
    static final int SO_KEEPALIVE = 7;
    static final int SO_OOBINLINE = 8;
    static final int SO_LINGER = 9;
    static final int SO_RCVLOWAT = 10;
    static final int SO_RCVTIMEO = 11;
    static final int SO_SNDTIMEO = 12;
    static final int SO_ACCEPTCONN = 13;
    static final int SO_BINDTODEVICE = 14;
    // getaddrinfo
    static final int AI_PASSIVE = 1;
    static final int AI_CANONNAME = 2;
    static final int AI_NUMERICHOST = 4;
    static final int AI_NUMERICSERV = 8;
    static final int AI_ALL_FLAGS = 0x7F;
    static final int PROTO_IP = 0;
    static final int PROTO_TCP = 1;
    static final int PROTO_UDP = 2;

    /** {@code -Dio.mio.wasm.trace=true} prints every socket host call and its errno to stderr. */
    static final boolean TRACE = Boolean.getBoolean("io.mio.wasm.trace");

    final WasiPreview1 wasi;
    final NetPolicy policy;
    final Poll poll;
    final Events events = Events.withCapacity(256);

    /** TCP_NODELAY on every guest TCP stream; see {@link SocketHost#setTcpNodelay}. */
    boolean tcpNodelay = true;
    volatile boolean closed;

    interface IntCall {
        int call();
    }

    /** For direct calls: an errno exception becomes its errno. */
    static int errno(IntCall c) {
        try {
            return c.call();
        } catch (ErrnoException e) {
            return e.errno;
        }
    }

    HostState(WasiPreview1 wasi, NetPolicy policy) throws IOException {
        this.wasi = wasi;
        this.policy = policy;
        this.poll = Poll.open();
    }
}
