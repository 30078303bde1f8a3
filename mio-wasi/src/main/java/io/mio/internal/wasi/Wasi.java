package io.mio.internal.wasi;

import org.teavm.interop.Address;
import org.teavm.interop.Import;

/**
 * The WasmEdge socket imports and the preview 1 calls the WASI backend makes, as TeaVM imports, plus the
 * errno and layout constants of {@code ../shared/docs/wasmedge-socket-abi.md}. Pointers are guest-memory
 * addresses ({@code Address.toInt()}); every call returns a WASI errno (0 = success).
 *
 * <p>Only the wasm build links these: on a JVM the natives do not exist, and no class reaches them there
 * (the JVM's {@code Backends} never picks this backend). Pointers into Java arrays are taken right before the
 * call that uses them, with no allocation in between: TeaVM's collector may move an array when it runs.
 */
final class Wasi {
    private Wasi() {}

    static final String MODULE = "wasi_snapshot_preview1";

    // errno (the WASI values, which WasmEdge returns and wasi-libc uses as errno)
    static final int SUCCESS = 0;
    static final int ACCES = 2;
    static final int ADDRINUSE = 3;
    static final int ADDRNOTAVAIL = 4;
    static final int AFNOSUPPORT = 5;
    static final int AGAIN = 6;
    static final int ALREADY = 7;
    static final int BADF = 8;
    static final int CONNABORTED = 13;
    static final int CONNREFUSED = 14;
    static final int CONNRESET = 15;
    static final int HOSTUNREACH = 23;
    static final int INPROGRESS = 26;
    static final int INTR = 27;
    static final int INVAL = 28;
    static final int ISCONN = 30;
    static final int MFILE = 33;
    static final int NETUNREACH = 40;
    static final int NOTCONN = 53;
    static final int NOPROTOOPT = 50;
    static final int NOSYS = 52;
    static final int NOTSUP = 58;
    static final int PERM = 63;
    static final int PIPE = 64;
    static final int TIMEDOUT = 73;

    static final int AF_INET4 = 1;
    static final int AF_INET6 = 2;
    static final int SOCK_DGRAM = 1;
    static final int SOCK_STREAM = 2;
    static final int FDFLAGS_NONBLOCK = 4;
    static final int SOL_SOCKET = 0;
    static final int SO_REUSEADDR = 0;
    static final int SO_TYPE = 1;
    static final int SO_ERROR = 2;
    static final int SO_BROADCAST = 4;
    static final int SO_SNDBUF = 5;
    static final int SO_RCVBUF = 6;
    static final int SO_KEEPALIVE = 7;
    static final int SO_LINGER = 9;
    static final int RIFLAGS_PEEK = 1;
    static final int SDFLAGS_RD = 1;
    static final int SDFLAGS_WR = 2;

    // poll_oneoff layouts: subscription 48 bytes, event 32 bytes, both 8-byte aligned (WasmEdge traps or
    // answers ADDRNOTAVAIL otherwise).
    static final int SUBSCRIPTION_SIZE = 48;
    static final int EVENT_SIZE = 32;
    static final int EVENTTYPE_CLOCK = 0;
    static final int EVENTTYPE_FD_READ = 1;
    static final int EVENTTYPE_FD_WRITE = 2;
    static final int CLOCK_MONOTONIC = 1;
    static final int EVENTRWFLAGS_HANGUP = 1;
    /** The storage of a V2 address (sock_getlocaladdr/sock_getpeeraddr with three parameters). */
    static final int ADDR_STORAGE_SIZE = 128;

    @Import(module = MODULE, name = "sock_open")
    static native int sockOpen(int family, int type, int fdOut);

    @Import(module = MODULE, name = "sock_bind")
    static native int sockBind(int fd, int addr, int port);

    @Import(module = MODULE, name = "sock_listen")
    static native int sockListen(int fd, int backlog);

    /** V2 (three parameters, as preview 1's): the new socket gets {@code fdflags}. */
    @Import(module = MODULE, name = "sock_accept")
    static native int sockAccept(int fd, int fdflags, int fdOut);

    @Import(module = MODULE, name = "sock_connect")
    static native int sockConnect(int fd, int addr, int port);

    @Import(module = MODULE, name = "sock_recv")
    static native int sockRecv(int fd, int iovs, int iovsLen, int riflags, int nreadOut, int roflagsOut);

    @Import(module = MODULE, name = "sock_send")
    static native int sockSend(int fd, int iovs, int iovsLen, int siflags, int nwrittenOut);

    /** V2 (eight parameters): the sender's family and IP in 128-byte storage, its port in {@code *portOut}. */
    @Import(module = MODULE, name = "sock_recv_from")
    static native int sockRecvFrom(int fd, int iovs, int iovsLen, int addr, int riflags, int portOut,
            int nreadOut, int roflagsOut);

    @Import(module = MODULE, name = "sock_send_to")
    static native int sockSendTo(int fd, int iovs, int iovsLen, int addr, int port, int siflags,
            int nwrittenOut);

    @Import(module = MODULE, name = "sock_shutdown")
    static native int sockShutdown(int fd, int how);

    @Import(module = MODULE, name = "sock_getsockopt")
    static native int sockGetsockopt(int fd, int level, int name, int valueOut, int lengthInOut);

    @Import(module = MODULE, name = "sock_setsockopt")
    static native int sockSetsockopt(int fd, int level, int name, int value, int length);

    /** V2 (three parameters): 128-byte storage {@code {u16 family; u8 ip[...]}} and a u32 port. */
    @Import(module = MODULE, name = "sock_getlocaladdr")
    static native int sockGetlocaladdr(int fd, int addr, int portOut);

    /** V2 (three parameters), as {@link #sockGetlocaladdr}. */
    @Import(module = MODULE, name = "sock_getpeeraddr")
    static native int sockGetpeeraddr(int fd, int addr, int portOut);

    @Import(module = MODULE, name = "poll_oneoff")
    static native int pollOneoff(int in, int out, int nsubscriptions, int neventsOut);

    @Import(module = MODULE, name = "fd_close")
    static native int fdClose(int fd);

    @Import(module = MODULE, name = "fd_fdstat_set_flags")
    static native int fdFdstatSetFlags(int fd, int flags);

    /** The address of {@code array[index]}; valid until the next allocation. */
    static int addressOf(byte[] array, int index) {
        return Address.ofData(array).add(index).toInt();
    }

    /** The first 8-byte aligned address at or after {@code array}'s data; valid until the next allocation. */
    static int aligned8(long[] array) {
        return (Address.ofData(array).toInt() + 7) & ~7;
    }
}
