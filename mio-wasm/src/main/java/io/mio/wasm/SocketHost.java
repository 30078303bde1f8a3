package io.mio.wasm;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.ValType;
import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;
import io.mio.net.Shutdown;
import io.mio.net.SocketAddressHolder;
import io.mio.net.TcpSocket;
import io.mio.net.TcpStream;
import io.mio.net.UdpSocket;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;

import static io.mio.wasm.GuestMemory.aligned;
import static io.mio.wasm.GuestMemory.check;
import static io.mio.wasm.WasiErrno.*;

/**
 * WasmEdge's socket API (and the preview 1 calls that touch sockets) for one guest, on io.mio.
 *
 * <p>Sockets live in a host-side table beside Chicory's {@link WasiPreview1}, which keeps files and stdio: socket
 * numbers start at {@link #FD_BASE}, a range Chicory's lowest-free allocation never reaches in practice, and a
 * {@code path_open} that would still land on a socket number is undone (NFILE). Calls on an fd that is not a socket
 * go to Chicory.
 *
 * <p>All waiting happens in one io.mio {@link Poll} per guest. Each socket is registered once, when it gets an OS
 * socket that can be waited on (listen, accept, connect, a datagram socket's bind), for all it can do and under the
 * token of its guest fd, and stays registered until it closes. io.mio is edge-triggered, so the host keeps what it
 * knows of each socket's readiness: every event the Poll returns (whoever waited) marks it readable or writable,
 * and a host call that sees the operation would block marks it not ready, as does a short stream read or write
 * (io.mio's short-read rule: the queue was empty, so any later data raises a new edge); end of stream and
 * read-closed / write-closed events are kept for good, as such a socket never blocks again.
 *
 * <ul>
 *   <li>{@code poll_oneoff} is level-triggered, as in WasmEdge: a subscription on a socket known ready is ready
 *   without a system call; otherwise the call waits in the Poll. A guest that subscribes the same sockets on every
 *   call (as mio_wasi does) makes no epoll_ctl and pays for what changed, not for what it holds.</li>
 *   <li>{@code epoll_oneoff} is edge-triggered: it reports each edge the events brought once.</li>
 *   <li>A blocking guest socket blocks in the host (the guest thread waits on the Poll); a non-blocking one returns
 *   AGAIN. A non-blocking call on a socket known not ready answers AGAIN without asking the OS once per poll
 *   epoch (until the next poll_oneoff / epoll_oneoff that subscribes a socket, which asks the Poll now or on its
 *   next call): a guest that drains to AGAIN pays no system call for that AGAIN, and one that calls again without
 *   such a poll (spinning, or sleeping with clock-only polls) asks the OS, so it still makes progress.</li>
 * </ul>
 *
 * <p>Every method named after a host function ({@link #sockOpen}, ...) can be called directly from Java with a
 * {@link Memory}: that is how the host-function tests drive it. Not thread-safe: a guest is single-threaded; only
 * {@link #close()} may be called from another thread (it wakes a blocked guest, whose next call then traps).
 * Blocking calls (a blocking socket's accept/recv/send/connect, poll_oneoff, epoll_oneoff) wait until ready, their
 * timeout, {@link #close()}, or an interrupt of the calling thread (then the call traps); a signal that cuts the
 * wait short (EINTR) does not end it.
 */
public final class SocketHost implements AutoCloseable {
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

    private static final int CHUNK = 64 * 1024;
    /** The most subscriptions one poll_oneoff takes (the host allocates per subscription). */
    static final int MAX_SUBSCRIPTIONS = 1 << 16;
    private static final long MAX_WAIT_SLICE_NANOS = 200_000_000L;
    private static final Duration MAX_WAIT_SLICE = Duration.ofNanos(MAX_WAIT_SLICE_NANOS);
    /** {@code -Dio.mio.wasm.trace=true} prints every socket host call and its errno to stderr. */
    static final boolean TRACE = Boolean.getBoolean("io.mio.wasm.trace");
    /**
     * {@code -Dio.mio.wasm.recvFromPortNetworkOrder=true}: sock_recv_from V2 writes the sender's port in network
     * byte order, as WasmEdge does (its issue 2491), instead of the host order guests expect.
     */
    static final boolean PORT_NETWORK_ORDER = Boolean.getBoolean("io.mio.wasm.recvFromPortNetworkOrder");

    private final WasiPreview1 wasi;
    private final NetPolicy policy;
    private final Poll poll;
    private final Events events = Events.withCapacity(256);
    private final Map<Integer, GuestSocket> sockets = new ConcurrentHashMap<>();
    /** A direct-mapped cache of {@link #sockets} by fd (a power of two long), kept by putSocket / removeSocket. */
    private GuestSocket[] socketCache = new GuestSocket[256];
    private final Memory scratch = new ByteArrayMemory(new MemoryLimits(1, 1));
    private final byte[] buffer = new byte[CHUNK];
    private final SocketAddressHolder sender = new SocketAddressHolder();
    private final byte[] senderIp = new byte[16];
    private int nextFd = FD_BASE;
    /** TCP_NODELAY on every guest TCP stream; see {@link #setTcpNodelay}. */
    private boolean tcpNodelay = true;
    private volatile boolean closed;
    /** What a guest sleeping in poll_oneoff waits on; {@link #close()} wakes it. */
    private final Object sleepers = new Object();

    /** Bumped by every poll_oneoff / epoll_oneoff call; see {@link GuestSocket#readShortcut}. */
    private long pollEpoch;
    /** A socket host call ran since the last poll_oneoff / epoll_oneoff call. */
    private boolean callSincePoll;
    /** The Poll was asked since a poll_oneoff call last answered from known readiness alone. */
    private boolean askedSinceShortcut = true;
    /** Tells one poll_oneoff call's subscriptions from another's (GuestSocket's stamps); never 0. */
    private int callStamp;
    // poll_oneoff's per-subscription scratch, grown on demand and reused
    private long[] subUserdata = new long[0];
    private int[] subTag = new int[0];
    private int[] subFd = new int[0];
    private long[] subDeadline = new long[0];
    private boolean[] subReady = new boolean[0];
    private int[] subError = new int[0];
    private long[] subNbytes = new long[0];
    private int[] subFlags = new int[0];
    private boolean[] subStdin = new boolean[0];
    private GuestSocket[] subSock = new GuestSocket[0];
    // What the host asked of io.mio, for tests: registry calls (register / reregister), Poll.poll calls, and the
    // AGAINs answered from known readiness without asking the OS.
    long registryCalls;
    long pollCalls;
    long againsFromKnown;

    /**
     * @param wasi   the guest's WASI preview 1 host (files, stdio, clocks, ...); calls on non-socket fds go there
     * @param policy the network sandbox
     */
    public SocketHost(WasiPreview1 wasi, NetPolicy policy) throws IOException {
        this.wasi = wasi;
        this.policy = policy;
        this.poll = Poll.open();
    }

    /** Closes every socket and the Poll. A guest blocked in a host call wakes up and traps. */
    @Override
    public void close() {
        closed = true;
        synchronized (sleepers) {
            sleepers.notifyAll();
        }
        poll.close();
        for (GuestSocket s : sockets.values()) {
            s.close();
        }
        sockets.clear();
        Arrays.fill(socketCache, null);
    }

    /**
     * Whether every guest TCP stream, accepted or connected, gets TCP_NODELAY (Nagle's algorithm off); default on.
     * A guest cannot set it itself (WasmEdge's ABI has SOL_SOCKET options only), and a server that writes a
     * response in two sends (hyper: head, then body) waits for the client's delayed ACK, about 40 ms, on every
     * response of a keep-alive connection with Nagle on. Applies to streams created after the call: set it before
     * the guest runs.
     */
    public void setTcpNodelay(boolean on) {
        this.tcpNodelay = on;
    }

    /** How many guest sockets are open. */
    public int openSockets() {
        return sockets.size();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Linking

    /**
     * The host functions of module {@code wasi_snapshot_preview1} for {@code module}: Chicory's WASI functions,
     * with the ones that touch sockets wrapped, plus WasmEdge's socket functions. Where WasmEdge has a V1 and a V2
     * form of a function, the guest's import signature picks it (a module importing one name with two types gets
     * both, in the order Chicory's linker needs).
     */
    public List<HostFunction> hostFunctions(WasmModule module) {
        Map<String, List<HostFunction>> ours = new LinkedHashMap<>();
        for (HostFunction f : socketFunctions()) {
            ours.computeIfAbsent(f.name(), k -> new ArrayList<>()).add(f);
        }
        Map<String, HostFunction> chicory = new LinkedHashMap<>();
        for (HostFunction f : wasi.toHostFunctions()) {
            chicory.put(f.name(), f);
        }
        wrapChicory(chicory);

        // The import types of each wasi_snapshot_preview1 function, in import order, without duplicates.
        Map<String, List<FunctionType>> imported = new LinkedHashMap<>();
        if (module != null) {
            for (int i = 0; i < module.importSection().importCount(); i++) {
                Import imp = module.importSection().getImport(i);
                if (imp instanceof FunctionImport fi && WASI.equals(imp.module())) {
                    FunctionType t = module.typeSection().getType(fi.typeIndex());
                    List<FunctionType> types = imported.computeIfAbsent(imp.name(), k -> new ArrayList<>());
                    if (!types.contains(t)) {
                        types.add(t);
                    }
                }
            }
        }

        List<HostFunction> out = new ArrayList<>();
        Set<String> done = new HashSet<>();
        for (var e : imported.entrySet()) {
            String name = e.getKey();
            List<HostFunction> candidates = new ArrayList<>(ours.getOrDefault(name, List.of()));
            if (candidates.isEmpty() && chicory.containsKey(name)) {
                candidates.add(chicory.get(name));
            }
            if (candidates.isEmpty()) {
                continue; // unknown import: Chicory reports it
            }
            for (FunctionType t : e.getValue()) {
                HostFunction match = candidates.stream().filter(f -> f.functionType().equals(t)).findFirst()
                        .orElse(candidates.get(0));
                out.add(match);
            }
            done.add(name);
        }
        // Everything else (not imported, or no module given): one of each name, V1 first.
        for (var e : ours.entrySet()) {
            if (!done.contains(e.getKey())) {
                out.add(e.getValue().get(0));
                done.add(e.getKey());
            }
        }
        for (var e : chicory.entrySet()) {
            if (done.add(e.getKey())) {
                out.add(e.getValue());
            }
        }
        return out;
    }

    private interface Impl {
        int call(Memory m, long[] a);
    }

    private HostFunction fn(String name, int params, Impl impl) {
        FunctionType type = FunctionType.of(Collections.nCopies(params, ValType.I32), List.of(ValType.I32));
        return new HostFunction(WASI, name, type, (Instance inst, long... args) -> {
            Memory m = inst.memory();
            int r = guard(() -> impl.call(m, args));
            if (TRACE) {
                System.err.println("[mio-wasm] " + name + Arrays.toString(Arrays.stream(args).map(v -> (int) v).toArray())
                        + " = " + r);
            }
            return new long[] {r};
        });
    }

    private interface IntCall {
        int call();
    }

    /** Runs a host call: errno exceptions become their errno; a closed host or an interrupt traps. */
    private int guard(IntCall c) {
        int r = 0;
        try {
            r = c.call();
        } catch (ErrnoException e) {
            r = e.errno;
        } catch (UncheckedIOException e) {
            if (!closed) {
                throw e;
            }
        }
        if (closed) {
            throw new WasmRuntimeException("socket host closed");
        }
        return r;
    }

    /** For direct calls: an errno exception becomes its errno. */
    private static int errno(IntCall c) {
        try {
            return c.call();
        } catch (ErrnoException e) {
            return e.errno;
        }
    }

    private static int i(long v) {
        return (int) v;
    }

    private List<HostFunction> socketFunctions() {
        return List.of(
                fn("sock_open", 3, (m, a) -> sockOpen(m, i(a[0]), i(a[1]), i(a[2]))),
                fn("sock_bind", 3, (m, a) -> sockBind(m, i(a[0]), i(a[1]), i(a[2]), false)),
                fn("sock_bind_v2", 3, (m, a) -> sockBind(m, i(a[0]), i(a[1]), i(a[2]), true)),
                fn("sock_listen", 2, (m, a) -> sockListen(i(a[0]), i(a[1]))),
                fn("sock_listen_v2", 2, (m, a) -> sockListen(i(a[0]), i(a[1]))),
                fn("sock_open_v2", 3, (m, a) -> sockOpen(m, i(a[0]), i(a[1]), i(a[2]))),
                fn("sock_accept", 2, (m, a) -> sockAccept(m, i(a[0]), 0, i(a[1]), false)),
                fn("sock_accept", 3, (m, a) -> sockAccept(m, i(a[0]), i(a[1]), i(a[2]), true)),
                fn("sock_accept_v2", 3, (m, a) -> sockAccept(m, i(a[0]), i(a[1]), i(a[2]), true)),
                fn("sock_connect", 3, (m, a) -> sockConnect(m, i(a[0]), i(a[1]), i(a[2]), false)),
                fn("sock_connect_v2", 3, (m, a) -> sockConnect(m, i(a[0]), i(a[1]), i(a[2]), true)),
                fn("sock_recv", 6, (m, a) -> sockRecv(m, i(a[0]), i(a[1]), i(a[2]), i(a[3]), i(a[4]), i(a[5]))),
                fn("sock_recv_v2", 6, (m, a) -> sockRecv(m, i(a[0]), i(a[1]), i(a[2]), i(a[3]), i(a[4]), i(a[5]))),
                fn("sock_send", 5, (m, a) -> sockSend(m, i(a[0]), i(a[1]), i(a[2]), i(a[3]), i(a[4]))),
                fn("sock_send_v2", 5, (m, a) -> sockSend(m, i(a[0]), i(a[1]), i(a[2]), i(a[3]), i(a[4]))),
                fn("sock_shutdown", 2, (m, a) -> sockShutdown(i(a[0]), i(a[1]))),
                fn("sock_getlocaladdr", 4, (m, a) -> sockGetAddr(m, i(a[0]), i(a[1]), i(a[2]), i(a[3]), true, false)),
                fn("sock_getlocaladdr", 3, (m, a) -> sockGetAddr(m, i(a[0]), i(a[1]), 0, i(a[2]), true, true)),
                fn("sock_getlocaladdr_v2", 3, (m, a) -> sockGetAddr(m, i(a[0]), i(a[1]), 0, i(a[2]), true, true)),
                fn("sock_getpeeraddr", 4, (m, a) -> sockGetAddr(m, i(a[0]), i(a[1]), i(a[2]), i(a[3]), false, false)),
                fn("sock_getpeeraddr", 3, (m, a) -> sockGetAddr(m, i(a[0]), i(a[1]), 0, i(a[2]), false, true)),
                fn("sock_getpeeraddr_v2", 3, (m, a) -> sockGetAddr(m, i(a[0]), i(a[1]), 0, i(a[2]), false, true)),
                fn("sock_getsockopt", 5, (m, a) -> sockGetOpt(m, i(a[0]), i(a[1]), i(a[2]), i(a[3]), i(a[4]))),
                fn("sock_setsockopt", 5, (m, a) -> sockSetOpt(m, i(a[0]), i(a[1]), i(a[2]), i(a[3]), i(a[4]))),
                fn("sock_getaddrinfo", 8, (m, a) -> sockGetAddrinfo(m, i(a[0]), i(a[1]), i(a[2]), i(a[3]), i(a[4]),
                        i(a[5]), i(a[6]), i(a[7]))),
                fn("sock_recv_from", 7, (m, a) -> sockRecvFrom(m, i(a[0]), i(a[1]), i(a[2]), i(a[3]), i(a[4]), 0,
                        i(a[5]), i(a[6]), false)),
                fn("sock_recv_from", 8, (m, a) -> sockRecvFrom(m, i(a[0]), i(a[1]), i(a[2]), i(a[3]), i(a[4]), i(a[5]),
                        i(a[6]), i(a[7]), true)),
                fn("sock_recv_from_v2", 8, (m, a) -> sockRecvFrom(m, i(a[0]), i(a[1]), i(a[2]), i(a[3]), i(a[4]),
                        i(a[5]), i(a[6]), i(a[7]), true)),
                fn("sock_send_to", 7, (m, a) -> sockSendTo(m, i(a[0]), i(a[1]), i(a[2]), i(a[3]), i(a[4]), i(a[5]),
                        i(a[6]), false)),
                fn("sock_send_to_v2", 7, (m, a) -> sockSendTo(m, i(a[0]), i(a[1]), i(a[2]), i(a[3]), i(a[4]),
                        i(a[5]), i(a[6]), true)),
                fn("poll_oneoff", 4, (m, a) -> pollOneoff(m, i(a[0]), i(a[1]), i(a[2]), i(a[3]))),
                fn("epoll_oneoff", 4, (m, a) -> epollOneoff(m, i(a[0]), i(a[1]), i(a[2]), i(a[3]))));
    }

    /** Wraps Chicory's functions that take an fd so that socket fds are served here. */
    private void wrapChicory(Map<String, HostFunction> chicory) {
        wrap(chicory, "fd_close", (orig, inst, a) -> {
            GuestSocket s = lookup(i(a[0]));
            return s == null ? orig.apply(inst, a) : ret(fdClose(i(a[0])));
        });
        wrap(chicory, "fd_fdstat_get", (orig, inst, a) -> lookup(i(a[0])) != null
                ? ret(guard(() -> fdFdstatGet(inst.memory(), i(a[0]), i(a[1])))) : orig.apply(inst, a));
        wrap(chicory, "fd_fdstat_set_flags", (orig, inst, a) -> lookup(i(a[0])) != null
                ? ret(fdFdstatSetFlags(i(a[0]), i(a[1]))) : orig.apply(inst, a));
        wrap(chicory, "fd_read", (orig, inst, a) -> lookup(i(a[0])) != null
                ? ret(guard(() -> fdRead(inst.memory(), i(a[0]), i(a[1]), i(a[2]), i(a[3]))))
                : orig.apply(inst, a));
        wrap(chicory, "fd_write", (orig, inst, a) -> lookup(i(a[0])) != null
                ? ret(guard(() -> sockSend(inst.memory(), i(a[0]), i(a[1]), i(a[2]), 0, i(a[3]))))
                : orig.apply(inst, a));
        wrap(chicory, "fd_renumber", (orig, inst, a) -> {
            int from = i(a[0]);
            int to = i(a[1]);
            if (!sockets.containsKey(from) && !sockets.containsKey(to)) {
                return orig.apply(inst, a);
            }
            return ret(fdRenumber(from, to));
        });
        wrap(chicory, "path_open", (orig, inst, a) -> {
            long[] r = orig.apply(inst, a);
            if (r[0] == SUCCESS) {
                int fdPtr = i(a[8]);
                int fd = inst.memory().readInt(fdPtr);
                if (sockets.containsKey(fd)) { // Chicory's table reached the socket range: undo
                    wasi.fdClose(fd);
                    return ret(NFILE);
                }
            }
            return r;
        });
        // Chicory's preview 1 sock_* functions: ours replace them (see socketFunctions); drop theirs.
        chicory.remove("sock_accept");
        chicory.remove("sock_recv");
        chicory.remove("sock_send");
        chicory.remove("sock_shutdown");
        chicory.remove("poll_oneoff");
    }

    private interface Wrapper {
        long[] apply(WasmFunctionHandle orig, Instance inst, long[] args);
    }

    private void wrap(Map<String, HostFunction> fns, String name, Wrapper w) {
        HostFunction orig = fns.get(name);
        if (orig == null) {
            return;
        }
        WasmFunctionHandle h = orig.handle();
        fns.put(name, new HostFunction(orig.module(), name, orig.functionType(), (Instance inst, long... args) -> {
            // after close the socket table is empty: a socket fd would fall through to Chicory (BADF) instead of
            // stopping the guest as every socket call does
            if (closed) {
                throw new WasmRuntimeException("socket host closed");
            }
            return w.apply(h, inst, args);
        }));
    }

    private static long[] ret(int errno) {
        return new long[] {errno};
    }

    // ---------------------------------------------------------------------------------------------------------
    // Socket table

    /** The socket at {@code fd}, or null: from the cache when it is there, so that the hot paths do not box. */
    private GuestSocket lookup(int fd) {
        GuestSocket[] cache = socketCache;
        int i = fd & (cache.length - 1);
        GuestSocket s = cache[i];
        if (s != null && s.fd == fd) {
            return s;
        }
        s = sockets.get(fd);
        if (s != null) {
            cache[i] = s;
        }
        return s;
    }

    private void putSocket(GuestSocket s) {
        sockets.put(s.fd, s);
        if (sockets.size() > socketCache.length / 2 && socketCache.length < 1 << 20) {
            GuestSocket[] bigger = new GuestSocket[socketCache.length * 2];
            for (GuestSocket g : sockets.values()) {
                bigger[g.fd & (bigger.length - 1)] = g;
            }
            socketCache = bigger;
        }
        socketCache[s.fd & (socketCache.length - 1)] = s;
    }

    private GuestSocket removeSocket(int fd) {
        GuestSocket s = sockets.remove(fd);
        int i = fd & (socketCache.length - 1);
        if (socketCache[i] != null && socketCache[i].fd == fd) {
            socketCache[i] = null;
        }
        return s;
    }

    private GuestSocket sock(int fd) {
        callSincePoll = true;
        GuestSocket s = lookup(fd);
        if (s == null) {
            throw new ErrnoException(BADF);
        }
        return s;
    }

    /** The OS descriptor behind guest socket {@code fd} as io.mio shows it ({@code rawFd()}), or -1; for tests. */
    int osFd(int fd) throws IOException {
        GuestSocket s = lookup(fd);
        return s == null ? -1 : rawFd(s);
    }

    /** Whether {@code fd} is a guest socket. */
    public boolean isSocket(int fd) {
        return sockets.containsKey(fd);
    }

    private int allocateFd() {
        while (sockets.containsKey(nextFd)) {
            nextFd = nextFd == Integer.MAX_VALUE ? FD_BASE : nextFd + 1;
        }
        int fd = nextFd;
        nextFd = nextFd == Integer.MAX_VALUE ? FD_BASE : nextFd + 1;
        return fd;
    }

    private void checkLimit(String call) {
        if (sockets.size() >= policy.maxSockets()) {
            NetPolicy.LOG.warning(() -> call + " refused: the guest has " + sockets.size() + " sockets open, its limit"
                    + " (MFILE): raise --max-sockets");
            throw new ErrnoException(MFILE);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Waiting

    /**
     * Registers {@code s}'s source in the Poll, edge-triggered, for everything it can do ({@link
     * GuestSocket#interest()}), under the token of its fd. Called once when the socket gets its source; the
     * registration then stays until the socket closes.
     */
    private void register(GuestSocket s) {
        s.resetReadiness();
        try {
            registryCalls++;
            poll.registry().register(s.source(), new Token(s.fd), s.interest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        s.registered = true;
    }

    /** Registers {@code s} now that it has a source; a failure is left for the first wait on it to report. */
    private void registerNew(GuestSocket s) {
        try {
            register(s);
        } catch (UncheckedIOException e) {
            NetPolicy.LOG.log(Level.FINE, "registering " + s + " failed; retried when it is waited on", e);
        }
    }

    /**
     * Re-arms {@code s}'s registration (epoll's MOD reports a level that is up as a new event), for a readiness
     * known only as {@link GuestSocket#MAYBE}: until the event comes, it counts as not ready.
     */
    private void rearm(GuestSocket s) {
        try {
            registryCalls++;
            poll.registry().reregister(s.source(), new Token(s.fd), s.interest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (s.readState == GuestSocket.MAYBE) {
            s.readState = GuestSocket.EMPTY;
        }
        if (s.writeState == GuestSocket.MAYBE) {
            s.writeState = GuestSocket.EMPTY;
        }
    }

    /**
     * Whether a non-blocking read ({@code read}) or write on {@code s} may answer AGAIN without asking the OS: see
     * {@link GuestSocket#readShortcut}.
     */
    private boolean againFromKnown(GuestSocket s, boolean read) {
        if (s.nonblocking && (read ? s.readShortcut(pollEpoch) : s.writeShortcut(pollEpoch))) {
            againsFromKnown++;
            return true;
        }
        return false;
    }

    private void ensureRegistered(GuestSocket s) {
        if (!s.registered && s.source() != null) {
            register(s);
        }
    }

    /**
     * Waits in the Poll for at most {@code timeoutNanos} (negative: no limit), and less: a wait may end early with no
     * event (a wait slice ended, or a signal cut it short), so every caller loops until what it waits for happens
     * or its own deadline, recomputed from {@link System#nanoTime()}, has passed.
     *
     * @throws InterruptedIOException only when the thread's interrupt status is set: the guest is being stopped
     */
    private void pollOnce(long timeoutNanos) throws IOException {
        if (closed) {
            throw new UncheckedIOException(new IOException("closed"));
        }
        // Waits are cut into slices: a thread blocked in epoll_wait does not see Thread.interrupt, and Chicory's
        // way to stop a guest is to interrupt its thread (Poll.poll throws InterruptedIOException when it is set).
        long slice = timeoutNanos < 0 || timeoutNanos > MAX_WAIT_SLICE_NANOS ? MAX_WAIT_SLICE_NANOS : timeoutNanos;
        Duration d = slice == MAX_WAIT_SLICE_NANOS ? MAX_WAIT_SLICE : Duration.ofNanos(slice);
        pollCalls++;
        try {
            poll.poll(events, d);
        } catch (InterruptedIOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw e; // interrupted on purpose: stop the guest
            }
            // A signal cut epoll_wait short (EINTR: strace attaching, the flight recorder, a profiler). A WASI guest
            // has no signals: an early return with no event, which the caller's loop waits past.
            events.clear();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits in the Poll and records what every event says in its socket's known readiness. */
    private void pollAndHarvest(long timeoutNanos) throws IOException {
        pollOnce(timeoutNanos);
        askedSinceShortcut = true;
        for (Event e : events) {
            if (TRACE) {
                System.err.println("[mio-wasm]   event " + e);
            }
            GuestSocket g = lookup((int) e.token().value());
            if (g == null || !g.registered) {
                continue;
            }
            if (readReady(e)) {
                g.readState = GuestSocket.READY;
                g.pendingRead = true;
            }
            if (writeReady(e)) {
                g.writeState = GuestSocket.READY;
                g.pendingWrite = true;
            }
            g.readClosed |= e.isReadClosed();
            g.writeClosed |= e.isWriteClosed();
        }
    }

    private static boolean readReady(Event e) {
        return e.isReadable() || e.isReadClosed() || e.isError();
    }

    private static boolean writeReady(Event e) {
        return e.isWritable() || e.isWriteClosed() || e.isError();
    }

    /**
     * Blocks until {@code s} is ready for {@code interest} (readable or writable, not both) or the timeout
     * ({@code 0} = none, negative = do not wait) elapses. The caller has just seen the operation would block.
     *
     * @return true if ready, false on timeout
     */
    private boolean await(GuestSocket s, Interest interest, long timeoutNanos) throws IOException {
        if (timeoutNanos < 0) {
            return false; // SO_RCVTIMEO/SO_SNDTIMEO with a negative time: never wait
        }
        ensureRegistered(s);
        boolean read = interest.isReadable();
        long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : Long.MAX_VALUE;
        boolean asked = false;
        for (;;) {
            if (read ? s.readable() : s.writable()) {
                return true;
            }
            long wait = -1;
            if (timeoutNanos > 0) {
                wait = deadline - System.nanoTime();
                if (wait <= 0 && asked) {
                    return false;
                }
                wait = Math.max(0, wait);
            }
            pollAndHarvest(wait);
            asked = true;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Addresses

    /** Reads a {@code __wasi_address_t}: V1 takes a 4- or 16-byte IP; V2 also 128-byte storage. */
    private static InetAddress readAddress(Memory m, int addrPtr, boolean v2) {
        check(m, addrPtr, 8, 4);
        int buf = m.readInt(addrPtr);
        int len = m.readInt(addrPtr + 4);
        check(m, buf, len & 0xFFFF_FFFFL); // the whole buffer, before its length is judged (WasmEdge)
        byte[] ip;
        if (len == 4 || len == 16) {
            ip = m.readBytes(buf, len);
        } else if (v2 && len == 128) {
            int family = m.readShort(buf) & 0xFFFF;
            if (family == GuestSocket.AF_INET4) {
                ip = m.readBytes(buf + 2, 4);
            } else if (family == GuestSocket.AF_INET6) {
                ip = m.readBytes(buf + 2, 16);
            } else {
                throw new ErrnoException(family == 3 ? NOSYS : INVAL);
            }
        } else {
            throw new ErrnoException(INVAL);
        }
        try {
            return InetAddress.getByAddress(ip);
        } catch (UnknownHostException e) {
            throw new ErrnoException(INVAL);
        }
    }

    private static int familyOf(InetAddress a) {
        return a instanceof Inet6Address ? GuestSocket.AF_INET6 : GuestSocket.AF_INET4;
    }

    // ---------------------------------------------------------------------------------------------------------
    // The socket functions

    /** {@code sock_open(af, type, *fd)}. A TCP socket gets its OS socket now, a UDP one when it is bound. */
    public int sockOpen(Memory m, int af, int type, int fdPtr) {
        return errno(() -> sockOpen0(m, af, type, fdPtr));
    }

    private int sockOpen0(Memory m, int afArg, int typeArg, int fdPtr) {
        check(m, fdPtr, 4, 4);
        int af = afArg & 0xFF; // WasmEdge reads both as u8
        int type = typeArg & 0xFF;
        if (af != GuestSocket.AF_INET4 && af != GuestSocket.AF_INET6 && af != 3) {
            return INVAL;
        }
        if (af == 3) {
            return NOSYS; // AF_UNIX: WasmEdge allows it only with --allow-af-unix
        }
        if (type != GuestSocket.SOCK_DGRAM && type != GuestSocket.SOCK_STREAM) {
            return INVAL;
        }
        checkLimit("sock_open");
        int fd = allocateFd();
        GuestSocket s = new GuestSocket(fd, af, type);
        if (type == GuestSocket.SOCK_STREAM) {
            try {
                s.tcp = af == GuestSocket.AF_INET6 ? TcpSocket.newV6() : TcpSocket.newV4();
            } catch (IOException e) {
                return WasiErrno.of(e);
            }
        }
        putSocket(s);
        m.writeI32(fdPtr, fd);
        return SUCCESS;
    }

    private static InetSocketAddress wildcard(GuestSocket s, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[s.family == GuestSocket.AF_INET6 ? 16 : 4]),
                    port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** {@code sock_bind(fd, *addr, port)}. */
    public int sockBind(Memory m, int fd, int addrPtr, int port, boolean v2) {
        return errno(() -> sockBind0(m, fd, addrPtr, port, v2));
    }

    private int sockBind0(Memory m, int fd, int addrPtr, int port, boolean v2) {
        InetAddress addr = readAddress(m, addrPtr, v2);
        GuestSocket s = sock(fd);
        if (familyOf(addr) != s.family) {
            return AFNOSUPPORT;
        }
        InetSocketAddress target = new InetSocketAddress(addr, port & 0xFFFF);
        if (s.isUdp() ? s.udp != null : s.tcp == null || s.bound) {
            return INVAL; // already bound (Linux: EINVAL)
        }
        if (!policy.allowsBind(target)) {
            NetPolicy.refused("sock_bind", NetPolicy.spell(target), "ACCES", "--allow-bind",
                    NetPolicy.spell(target));
            return ACCES;
        }
        try {
            if (s.isUdp()) {
                bindUdp(s, target);
                registerNew(s);
            } else {
                s.tcp.bind(target);
                s.bound = true;
            }
        } catch (IOException | RuntimeException e) {
            return WasiErrno.of(e);
        }
        return SUCCESS;
    }

    /** Creates a datagram socket's UdpSocket bound to {@code target}, with the options the guest set before. */
    private static void bindUdp(GuestSocket s, InetSocketAddress target) throws IOException {
        UdpSocket.Builder b = UdpSocket.builder();
        byte[] v;
        if ((v = s.options.get(SO_REUSEADDR)) != null) {
            b.reuseAddr(intOf(v) != 0);
        }
        if ((v = s.options.remove(SO_BROADCAST)) != null) {
            b.broadcast(intOf(v) != 0);
        }
        if ((v = s.options.remove(SO_RCVBUF)) != null) {
            b.recvBufferSize(Math.max(intOf(v), 1));
        }
        if ((v = s.options.remove(SO_SNDBUF)) != null) {
            b.sendBufferSize(Math.max(intOf(v), 1));
        }
        s.udp = b.bind(target);
        int kept = applyKeptRawOptions(s);
        if (kept != SUCCESS) {
            throw new ErrnoException(kept);
        }
    }

    /** Binds an unbound datagram socket to the wildcard address, port 0, as Linux does on its first send or connect. */
    private void autoBindUdp(GuestSocket s) throws IOException {
        if (s.udp == null) {
            bindUdp(s, wildcard(s, 0));
            registerNew(s);
        }
    }

    /** {@code sock_listen(fd, backlog)}. */
    public int sockListen(int fd, int backlog) {
        return errno(() -> sockListen0(fd, backlog));
    }

    private int sockListen0(int fd, int backlog) {
        GuestSocket s = sock(fd);
        if (s.isUdp()) {
            return NOTSUP; // Linux: EOPNOTSUPP
        }
        if (s.listener != null) {
            return SUCCESS; // listening again only changes the backlog on Linux
        }
        if (s.stream != null) {
            return INVAL;
        }
        if (!s.bound) { // Linux binds an unbound socket to an ephemeral port
            InetSocketAddress any = wildcard(s, 0);
            if (!policy.allowsBind(any)) {
                NetPolicy.refused("sock_listen", "of an unbound socket (it binds " + NetPolicy.spell(any) + ")",
                        "ACCES", "--allow-bind", NetPolicy.spell(any));
                return ACCES;
            }
        }
        // a negative backlog is a huge unsigned one to Linux, which caps it at somaxconn
        int b = backlog < 0 ? Integer.MAX_VALUE : backlog;
        // options io.mio's TcpListener cannot read back: remember their values for getsockopt
        try {
            s.options.put(SO_REUSEADDR, intBytes(s.tcp.reuseAddr() ? 1 : 0));
            s.options.put(SO_KEEPALIVE, intBytes(s.tcp.keepalive() ? 1 : 0));
            s.options.put(SO_RCVBUF, intBytes(s.tcp.recvBufferSize()));
            s.options.put(SO_SNDBUF, intBytes(s.tcp.sendBufferSize()));
            s.options.put(SO_LINGER, lingerBytes(s.tcp.linger()));
            s.listener = s.tcp.listen(b);
        } catch (IOException | RuntimeException e) {
            return WasiErrno.of(e);
        }
        s.tcp = null;
        registerNew(s);
        return applyKeptRawOptions(s);
    }

    /** {@code sock_accept(fd, *newfd)} (V1, fdflags 0) and {@code sock_accept(fd, fdflags, *newfd)} (V2). */
    public int sockAccept(Memory m, int fd, int fdflags, int newFdPtr, boolean v2) {
        return errno(() -> sockAccept0(m, fd, fdflags, newFdPtr, v2));
    }

    private int sockAccept0(Memory m, int fd, int fdflags, int newFdPtr, boolean v2) {
        check(m, newFdPtr, 4, 4);
        if (v2 && (fdflags & 0xFFFF & ~FDFLAGS_ALL) != 0) {
            return INVAL; // WasmEdge: fdflags is a u16 of APPEND|DSYNC|NONBLOCK|RSYNC|SYNC; only NONBLOCK acts
        }
        GuestSocket s = sock(fd);
        if (s.isUdp()) {
            return NOTSUP; // Linux: EOPNOTSUPP
        }
        if (s.listener == null) {
            return INVAL;
        }
        checkLimit("sock_accept");
        TcpStream c;
        try {
            if (againFromKnown(s, true)) {
                return AGAIN; // known empty since the last look, and no poll since: no need to ask again
            }
            while ((c = s.listener.accept()) == null) {
                s.readDrained(true);
                if (s.nonblocking) {
                    return AGAIN;
                }
                if (!await(s, Interest.READABLE, s.rcvTimeoutNanos)) {
                    return AGAIN;
                }
            }
        } catch (InterruptedIOException e) {
            return interrupted(e);
        } catch (IOException e) {
            return WasiErrno.of(e);
        }
        if (tcpNodelay) {
            try {
                c.setNodelay(true);
            } catch (IOException e) {
                NetPolicy.LOG.log(Level.WARNING, "TCP_NODELAY on an accepted connection failed", e);
            }
        }
        int nfd = allocateFd();
        GuestSocket ns = new GuestSocket(nfd, s.family, GuestSocket.SOCK_STREAM);
        ns.stream = c;
        ns.nonblocking = (fdflags & FDFLAGS_NONBLOCK) != 0;
        byte[] reuse = s.options.get(SO_REUSEADDR); // inherited from the listener, as on Linux
        if (reuse != null) {
            ns.options.put(SO_REUSEADDR, reuse);
        }
        s.readConsumed(); // more connections may be pending, or not
        putSocket(ns);
        registerNew(ns);
        m.writeI32(newFdPtr, nfd);
        return SUCCESS;
    }

    private static int interrupted(InterruptedIOException e) {
        Thread.currentThread().interrupt();
        throw new WasmRuntimeException("host call interrupted");
    }

    /** {@code sock_connect(fd, *addr, port)}. A TCP socket may have been bound first. */
    public int sockConnect(Memory m, int fd, int addrPtr, int port, boolean v2) {
        return errno(() -> sockConnect0(m, fd, addrPtr, port, v2));
    }

    private int sockConnect0(Memory m, int fd, int addrPtr, int port, boolean v2) {
        InetAddress addr = readAddress(m, addrPtr, v2);
        GuestSocket s = sock(fd);
        if (familyOf(addr) != s.family) {
            return AFNOSUPPORT;
        }
        InetSocketAddress target = new InetSocketAddress(addr, port & 0xFFFF);
        if (s.isUdp()) {
            if (!policy.allowsConnect(target)) {
                NetPolicy.refused("sock_connect", NetPolicy.spell(target), "PERM", "--allow-connect",
                        NetPolicy.spell(target));
                return PERM;
            }
            try {
                autoBindUdp(s);
                s.udp.connect(target);
            } catch (IOException | RuntimeException e) {
                return WasiErrno.of(e);
            }
            s.udpConnected = true;
            return SUCCESS;
        }
        if (s.stream != null) {
            if (s.connecting && !connected(s)) {
                return ALREADY;
            }
            return ISCONN;
        }
        if (s.listener != null) {
            return ISCONN; // Linux: connect on a listening socket
        }
        if (!policy.allowsConnect(target)) {
            NetPolicy.refused("sock_connect", NetPolicy.spell(target), "PERM", "--allow-connect",
                    NetPolicy.spell(target));
            return PERM;
        }
        byte[] device = s.options.get(SO_BINDTODEVICE);
        if (device != null && device.length > 0) {
            String name = new String(device, StandardCharsets.ISO_8859_1);
            if (!routeLeavesThrough(target, name)) {
                NetPolicy.LOG.warning(() -> "sock_connect " + NetPolicy.spell(target)
                        + " refused: the socket is bound to device " + name + ", which io.mio can only set after"
                        + " the connect, and the route there leaves through another device (NETUNREACH)");
                return NETUNREACH;
            }
        }
        try {
            if (tcpNodelay) {
                s.tcp.setNodelay(true); // before the connect: the first segments go without Nagle's wait too
            }
            s.stream = s.tcp.connect(target);
        } catch (IOException | RuntimeException e) {
            return WasiErrno.of(e); // the TcpSocket stays usable, as a socket does after a failed connect
        }
        s.tcp = null;
        s.connecting = true;
        registerNew(s);
        int kept = applyKeptRawOptions(s);
        if (kept != SUCCESS) {
            return kept;
        }
        if (s.nonblocking) {
            return INPROGRESS;
        }
        try {
            if (!await(s, Interest.WRITABLE, s.sndTimeoutNanos)) {
                return INPROGRESS;
            }
            IOException err = s.stream.takeError();
            s.connecting = false;
            if (err != null) {
                // the socket may connect again, as after a failed connect(2): a fresh OS socket (unbound)
                s.stream.close();
                s.stream = null;
                s.registered = false;
                s.bound = false;
                s.tcp = s.family == GuestSocket.AF_INET6 ? TcpSocket.newV6() : TcpSocket.newV4();
                return WasiErrno.of(err);
            }
            return SUCCESS;
        } catch (InterruptedIOException e) {
            return interrupted(e);
        } catch (IOException e) {
            return WasiErrno.of(e);
        }
    }

    private static boolean connected(GuestSocket s) {
        try {
            s.stream.peerAddr();
            s.connecting = false;
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** One iovec. */
    private record Iov(int buf, int len) {}

    private static List<Iov> readIovs(Memory m, int iovPtr, int count) {
        long n = count & 0xFFFF_FFFFL;
        if (n > IOV_MAX) {
            throw new ErrnoException(INVAL);
        }
        check(m, iovPtr, n * 8, 4);
        List<Iov> iovs = new ArrayList<>((int) n);
        for (int k = 0; k < n; k++) {
            int buf = m.readInt(iovPtr + k * 8);
            int len = m.readInt(iovPtr + k * 8 + 4);
            check(m, buf, len & 0xFFFF_FFFFL);
            if (len != 0) {
                iovs.add(new Iov(buf, len));
            }
        }
        return iovs;
    }

    private static long total(List<Iov> iovs) {
        long t = 0;
        for (Iov v : iovs) {
            t += v.len & 0xFFFF_FFFFL;
        }
        return t;
    }

    /** Copies {@code src[0, n)} into the iovecs, in order. */
    private static void scatter(Memory m, List<Iov> iovs, long skip, byte[] src, int n) {
        int off = 0;
        for (Iov v : iovs) {
            long len = v.len & 0xFFFF_FFFFL;
            if (skip >= len) {
                skip -= len;
                continue;
            }
            int room = (int) (len - skip);
            int k = Math.min(room, n - off);
            m.write(v.buf + (int) skip, src, off, k);
            off += k;
            skip = 0;
            if (off == n) {
                return;
            }
        }
    }

    /** Copies up to {@code max} bytes from the iovecs, skipping {@code skip}, into {@code dst}. */
    private static int gather(Memory m, List<Iov> iovs, long skip, byte[] dst, int max) {
        int off = 0;
        for (Iov v : iovs) {
            long len = v.len & 0xFFFF_FFFFL;
            if (skip >= len) {
                skip -= len;
                continue;
            }
            int k = (int) Math.min(len - skip, max - off);
            byte[] b = m.readBytes(v.buf + (int) skip, k);
            System.arraycopy(b, 0, dst, off, k);
            off += k;
            skip = 0;
            if (off == max) {
                break;
            }
        }
        return off;
    }

    /**
     * {@code sock_recv(fd, iov, n, riflags, *nread, *roflags)}.
     */
    public int sockRecv(Memory m, int fd, int iovPtr, int iovCount, int riflags, int nreadPtr, int roflagsPtr) {
        return errno(() -> sockRecv0(m, fd, iovPtr, iovCount, riflags, nreadPtr, roflagsPtr, true));
    }

    /** {@code fd_read} on a socket: a recv without flags and without roflags. */
    public int fdRead(Memory m, int fd, int iovPtr, int iovCount, int nreadPtr) {
        return errno(() -> sockRecv0(m, fd, iovPtr, iovCount, 0, nreadPtr, 0, false));
    }

    private int sockRecv0(Memory m, int fd, int iovPtr, int iovCount, int riflags, int nreadPtr, int roflagsPtr,
            boolean hasRoflags) {
        // WasmEdge's order: every alignment, then riflags (a u16), then memory, then the fd
        aligned(iovPtr, 4);
        aligned(nreadPtr, 4);
        if (hasRoflags) {
            aligned(roflagsPtr, 2);
        }
        riflags &= 0xFFFF;
        if ((riflags & ~(RIFLAGS_PEEK | RIFLAGS_WAITALL)) != 0) {
            return INVAL;
        }
        List<Iov> iovs = readIovs(m, iovPtr, iovCount);
        check(m, nreadPtr, 4, 4);
        if (hasRoflags) {
            check(m, roflagsPtr, 2, 2);
        }
        GuestSocket s = sock(fd);
        if (s.isUdp()) {
            return recvDatagram(m, s, iovs, riflags, nreadPtr, hasRoflags ? roflagsPtr : -1, null);
        }
        if (s.stream == null) {
            return NOTCONN;
        }
        long want = total(iovs);
        long got = 0;
        boolean peek = (riflags & RIFLAGS_PEEK) != 0;
        boolean waitAll = (riflags & RIFLAGS_WAITALL) != 0 && !peek;
        if (want > 0 && againFromKnown(s, true)) {
            return AGAIN; // known empty since the last look, and no poll since: no need to ask again
        }
        try {
            while (got < want) {
                int len = (int) Math.min(buffer.length, want - got);
                int n = peek ? s.stream.peek(buffer, 0, len) : s.stream.read(buffer, 0, len);
                if (n > 0) {
                    scatter(m, iovs, got, buffer, n);
                    got += n;
                    if (!peek) {
                        if (n < len) {
                            s.readDrained(false); // a short read emptied the receive queue (io.mio's short-read rule)
                        } else {
                            s.readConsumed();
                        }
                    }
                    if (!waitAll && (n < len || peek)) {
                        break;
                    }
                    continue;
                }
                if (n < 0) {
                    s.readClosed = true; // end of stream: a read never blocks again
                    break;
                }
                s.readDrained(true);
                if (got > 0 && (!waitAll || s.nonblocking)) {
                    break; // some data and no need to wait for more
                }
                if (s.nonblocking) {
                    return AGAIN;
                }
                if (!await(s, Interest.READABLE, s.rcvTimeoutNanos)) {
                    if (got > 0) {
                        break;
                    }
                    return AGAIN;
                }
            }
        } catch (InterruptedIOException e) {
            return interrupted(e);
        } catch (IOException e) {
            if (got == 0) {
                return WasiErrno.of(e);
            }
        }
        m.writeI32(nreadPtr, (int) got);
        if (hasRoflags) {
            m.writeShort(roflagsPtr, (short) 0);
        }
        return SUCCESS;
    }

    /** {@code sock_send(fd, ciov, n, siflags, *nwritten)}; also {@code fd_write} on a socket. */
    public int sockSend(Memory m, int fd, int iovPtr, int iovCount, int siflags, int nwrittenPtr) {
        return errno(() -> sockSend0(m, fd, iovPtr, iovCount, siflags, nwrittenPtr));
    }

    private int sockSend0(Memory m, int fd, int iovPtr, int iovCount, int siflags, int nwrittenPtr) {
        aligned(iovPtr, 4);
        aligned(nwrittenPtr, 4);
        if ((siflags & 0xFFFF) != 0) {
            return INVAL; // siflags is a u16 with no flag defined
        }
        List<Iov> iovs = readIovs(m, iovPtr, iovCount);
        check(m, nwrittenPtr, 4, 4);
        GuestSocket s = sock(fd);
        if (s.isUdp()) {
            if (s.shutWrite) {
                return PIPE;
            }
            if (!s.udpConnected) {
                return DESTADDRREQ;
            }
            return sendDatagram(m, s, iovs, null, nwrittenPtr);
        }
        if (s.stream == null) {
            return PIPE; // Linux's tcp_sendmsg on a socket that is not connected (listener included)
        }
        long want = total(iovs);
        long sent = 0;
        if (want > 0 && againFromKnown(s, false)) {
            return AGAIN; // known full since the last look, and no poll since: no need to ask again
        }
        try {
            while (sent < want) {
                int len = gather(m, iovs, sent, buffer, (int) Math.min(buffer.length, want - sent));
                int n = s.stream.write(buffer, 0, len);
                if (n > 0) {
                    sent += n;
                    if (n == len) {
                        continue;
                    }
                    s.writeDrained(false); // a short write filled the send buffer: the next write would block
                } else {
                    s.writeDrained(true);
                }
                if (s.nonblocking) {
                    if (sent > 0) {
                        break;
                    }
                    return AGAIN;
                }
                if (!await(s, Interest.WRITABLE, s.sndTimeoutNanos)) {
                    if (sent > 0) {
                        break;
                    }
                    return AGAIN;
                }
            }
        } catch (InterruptedIOException e) {
            return interrupted(e);
        } catch (IOException e) {
            if (sent == 0) {
                return WasiErrno.of(e);
            }
        }
        m.writeI32(nwrittenPtr, (int) sent);
        return SUCCESS;
    }

    /**
     * Receives one datagram of a UDP guest socket into {@link #buffer} (64 KiB: any datagram fits whole), waiting
     * if the socket is blocking; the sender goes into {@code from} unless it is null.
     *
     * @return the datagram's size, or minus a WASI errno
     */
    private int receiveDatagram(GuestSocket s, boolean peek, SocketAddressHolder from) throws IOException {
        if (from != null) {
            from.clear();
        }
        // known empty since the last look, and no poll since: no need to ask again
        boolean shortcut = againFromKnown(s, true);
        for (;;) {
            int n = UdpSocket.WOULD_BLOCK;
            if (s.udp != null && !shortcut) {
                n = from == null ? (peek ? s.udp.peek(buffer, 0, buffer.length) : s.udp.recv(buffer, 0, buffer.length))
                        : peek ? s.udp.peekFrom(buffer, 0, buffer.length, from)
                        : s.udp.recvFrom(buffer, 0, buffer.length, from);
            }
            if (n != UdpSocket.WOULD_BLOCK) {
                if (!peek) {
                    s.readConsumed(); // more datagrams may be queued, or not
                }
                return n;
            }
            if (!shortcut) {
                s.readDrained(true);
            }
            if (s.shutRead) {
                return 0; // shut down for reading: an empty read, as Linux gives
            }
            // an unbound socket has nothing to wait on: AGAIN even when blocking (Linux would wait forever)
            if (s.udp == null || s.nonblocking || !await(s, Interest.READABLE, s.rcvTimeoutNanos)) {
                return -AGAIN;
            }
        }
    }

    /** sock_recv / sock_recv_from / fd_read on a UDP socket: one datagram, TRUNCATED if the iovecs were too small. */
    private int recvDatagram(Memory m, GuestSocket s, List<Iov> iovs, int riflags, int nreadPtr, int roflagsPtr,
            SocketAddressHolder from) {
        long want = total(iovs);
        int n;
        try {
            n = receiveDatagram(s, (riflags & RIFLAGS_PEEK) != 0, from);
        } catch (InterruptedIOException e) {
            return interrupted(e);
        } catch (IOException | RuntimeException e) {
            s.readConsumed(); // the error was the readiness; whether a datagram is queued is unknown
            return WasiErrno.of(e);
        }
        if (n < 0) {
            return -n;
        }
        int k = (int) Math.min(n, want);
        scatter(m, iovs, 0, buffer, k);
        m.writeI32(nreadPtr, k);
        if (roflagsPtr != -1) {
            m.writeShort(roflagsPtr, (short) (n > want ? ROFLAGS_TRUNCATED : 0));
        }
        return SUCCESS;
    }

    /** Sends the iovecs as one datagram, to {@code to} or (null) the connected peer. */
    private int sendDatagram(Memory m, GuestSocket s, List<Iov> iovs, InetSocketAddress to, int nwrittenPtr) {
        long want = total(iovs);
        if (want > buffer.length) {
            return MSGSIZE;
        }
        if (againFromKnown(s, false)) {
            return AGAIN; // known full since the last look, and no poll since: no need to ask again
        }
        int len = gather(m, iovs, 0, buffer, (int) want);
        try {
            for (;;) {
                int n = to == null ? s.udp.send(buffer, 0, len) : s.udp.sendTo(buffer, 0, len, to);
                if (n != UdpSocket.WOULD_BLOCK) {
                    m.writeI32(nwrittenPtr, n);
                    return SUCCESS;
                }
                s.writeDrained(true);
                if (s.nonblocking || !await(s, Interest.WRITABLE, s.sndTimeoutNanos)) {
                    return AGAIN;
                }
            }
        } catch (InterruptedIOException e) {
            return interrupted(e);
        } catch (IOException | RuntimeException e) {
            return WasiErrno.of(e);
        }
    }

    /**
     * {@code sock_recv_from}: V1 {@code (fd, iov, n, *addr, riflags, *nread, *roflags)} copies the sender's raw IP
     * into a 4- or 16-byte buffer (if it fits), without family or port; V2 {@code (fd, iov, n, *addr, riflags, *port,
     * *nread, *roflags)} also takes 128-byte storage (family u16 at +0, IP at +2) and writes the port as a u16 in
     * <b>host</b> byte order, which is what guests read (WasmEdge writes the raw network-order {@code sin_port};
     * {@code -Dio.mio.wasm.recvFromPortNetworkOrder=true} does that too). On a stream socket it is a recv that
     * leaves the address alone, as recvmsg does for TCP.
     */
    public int sockRecvFrom(Memory m, int fd, int iovPtr, int iovCount, int addrPtr, int riflags, int portPtr,
            int nreadPtr, int roflagsPtr, boolean v2) {
        return errno(() -> sockRecvFrom0(m, fd, iovPtr, iovCount, addrPtr, riflags, portPtr, nreadPtr, roflagsPtr, v2));
    }

    private int sockRecvFrom0(Memory m, int fd, int iovPtr, int iovCount, int addrPtr, int riflags, int portPtr,
            int nreadPtr, int roflagsPtr, boolean v2) {
        aligned(addrPtr, 4);
        aligned(iovPtr, 4);
        if (v2) {
            aligned(portPtr, 2);
        }
        aligned(nreadPtr, 4);
        aligned(roflagsPtr, 2);
        check(m, addrPtr, 8, 4);
        int buf = m.readInt(addrPtr);
        int bufLen = m.readInt(addrPtr + 4);
        check(m, buf, bufLen & 0xFFFF_FFFFL);
        // V1 takes a buffer of any size (the sender's IP goes in if it fits); V2 a 4-, 16- or 128-byte one
        if (v2 && bufLen != 4 && bufLen != 16 && bufLen != 128) {
            return INVAL;
        }
        riflags &= 0xFFFF;
        if ((riflags & ~(RIFLAGS_PEEK | RIFLAGS_WAITALL)) != 0) {
            return INVAL;
        }
        List<Iov> iovs = readIovs(m, iovPtr, iovCount);
        if (v2) {
            check(m, portPtr, 2, 2);
        }
        check(m, nreadPtr, 4, 4);
        check(m, roflagsPtr, 2, 2);
        GuestSocket s = sock(fd);
        if (!s.isUdp()) {
            return sockRecv0(m, fd, iovPtr, iovCount, riflags, nreadPtr, roflagsPtr, true);
        }
        int r = recvDatagram(m, s, iovs, riflags, nreadPtr, roflagsPtr, sender);
        if (r != SUCCESS || sender.isEmpty()) {
            return r;
        }
        int alen = sender.addressBytes(senderIp, 0);
        if (v2 && bufLen == 128) {
            m.writeShort(buf, (short) (sender.isIpv6() ? GuestSocket.AF_INET6 : GuestSocket.AF_INET4));
            m.write(buf + 2, senderIp, 0, alen);
        } else if (bufLen >= alen) {
            m.write(buf, senderIp, 0, alen);
        }
        if (v2) {
            short port = (short) sender.port();
            m.writeShort(portPtr, PORT_NETWORK_ORDER ? Short.reverseBytes(port) : port);
        }
        return SUCCESS;
    }

    /**
     * {@code sock_send_to(fd, ciov, n, *addr, port, siflags, *nwritten)}: V1 takes a 4- or 16-byte IP, V2 also
     * 128-byte storage; the port is in host order. An unbound UDP socket is bound to an ephemeral port first (as
     * Linux does). The destination must be allowed by the sandbox's connect list (else PERM). On a stream socket
     * the address is ignored, as Linux does for a connected TCP socket.
     */
    public int sockSendTo(Memory m, int fd, int iovPtr, int iovCount, int addrPtr, int port, int siflags,
            int nwrittenPtr, boolean v2) {
        return errno(() -> sockSendTo0(m, fd, iovPtr, iovCount, addrPtr, port, siflags, nwrittenPtr, v2));
    }

    private int sockSendTo0(Memory m, int fd, int iovPtr, int iovCount, int addrPtr, int port, int siflags,
            int nwrittenPtr, boolean v2) {
        aligned(addrPtr, 4);
        aligned(iovPtr, 4);
        aligned(nwrittenPtr, 4);
        InetAddress addr = readAddress(m, addrPtr, v2);
        if ((siflags & 0xFFFF) != 0) {
            return INVAL;
        }
        List<Iov> iovs = readIovs(m, iovPtr, iovCount);
        check(m, nwrittenPtr, 4, 4);
        GuestSocket s = sock(fd);
        if (!s.isUdp()) {
            return sockSend0(m, fd, iovPtr, iovCount, 0, nwrittenPtr);
        }
        if (s.family == GuestSocket.AF_INET4 && familyOf(addr) == GuestSocket.AF_INET6) {
            return AFNOSUPPORT;
        }
        InetSocketAddress target = new InetSocketAddress(addr, port & 0xFFFF);
        if (!policy.allowsConnect(target)) {
            NetPolicy.refused("sock_send_to", NetPolicy.spell(target), "PERM", "--allow-connect",
                    NetPolicy.spell(target));
            return PERM;
        }
        if (s.shutWrite) {
            return PIPE;
        }
        try {
            autoBindUdp(s);
        } catch (IOException | RuntimeException e) {
            return WasiErrno.of(e);
        }
        return sendDatagram(m, s, iovs, target, nwrittenPtr);
    }

    /** {@code sock_shutdown(fd, how)}: how is RD 1, WR 2 or both 3; 0 passes and means RD, as on WasmEdge. */
    public int sockShutdown(int fd, int how) {
        return errno(() -> sockShutdown0(fd, how));
    }

    private int sockShutdown0(int fd, int howArg) {
        int how = howArg & 0xFF; // a u8 in WasmEdge
        if ((how & ~3) != 0) {
            return INVAL;
        }
        GuestSocket s = sock(fd);
        if (s.isUdp()) {
            // io.mio's UdpSocket has no shutdown: emulated (later receives read nothing, sends fail with PIPE).
            // Linux marks an unconnected datagram socket shut down too, but answers ENOTCONN.
            s.shutRead |= how != 2;
            s.shutWrite |= (how & 2) != 0;
            return s.udpConnected ? SUCCESS : NOTCONN;
        }
        if (s.stream == null) {
            return NOTCONN;
        }
        try {
            s.stream.shutdown(switch (how) {
                case 2 -> Shutdown.WRITE;
                case 3 -> Shutdown.BOTH;
                default -> Shutdown.READ;
            });
        } catch (IOException e) {
            return WasiErrno.of(e);
        }
        // reads give end of stream and writes fail from now on: neither blocks again
        s.readClosed |= how != 2;
        s.writeClosed |= (how & 2) != 0;
        return SUCCESS;
    }

    /**
     * {@code sock_getlocaladdr} / {@code sock_getpeeraddr}: V1 {@code (fd, *addr, *addr_type, *port)} with a 4- or
     * 16-byte buffer and addr_type 4 or 6; V2 {@code (fd, *addr, *port)} with 128-byte storage. Port: u32, host
     * order.
     */
    public int sockGetAddr(Memory m, int fd, int addrPtr, int typePtr, int portPtr, boolean local, boolean v2) {
        return errno(() -> sockGetAddr0(m, fd, addrPtr, typePtr, portPtr, local, v2));
    }

    private int sockGetAddr0(Memory m, int fd, int addrPtr, int typePtr, int portPtr, boolean local, boolean v2) {
        aligned(addrPtr, 4);
        if (!v2) {
            aligned(typePtr, 4);
        }
        aligned(portPtr, 4);
        check(m, addrPtr, 8, 4);
        int buf = m.readInt(addrPtr);
        int bufLen = m.readInt(addrPtr + 4);
        check(m, buf, bufLen & 0xFFFF_FFFFL);
        if (v2) {
            check(m, portPtr, 4, 4); // V2 checks the port pointer before the length, V1 after
            if (bufLen != 128) {
                return INVAL;
            }
        } else {
            if (bufLen != 4 && bufLen != 16) {
                return INVAL;
            }
            check(m, typePtr, 4, 4);
            check(m, portPtr, 4, 4);
        }
        GuestSocket s = sock(fd);
        InetSocketAddress a;
        try {
            if (local) {
                a = s.stream != null ? s.stream.localAddr()
                        : s.listener != null ? s.listener.localAddr()
                        : s.tcp != null ? s.tcp.localAddr()
                        : s.udp != null ? s.udp.localAddr()
                        : wildcard(s, 0);
            } else if (s.stream != null) {
                a = s.stream.peerAddr();
            } else if (s.udpConnected) {
                a = s.udp.peerAddr();
            } else {
                return NOTCONN;
            }
        } catch (IOException e) {
            return WasiErrno.of(e);
        }
        byte[] ip = a.getAddress().getAddress();
        if (v2) {
            m.writeShort(buf, (short) (ip.length == 4 ? GuestSocket.AF_INET4 : GuestSocket.AF_INET6));
            m.write(buf + 2, ip);
        } else {
            if (ip.length > bufLen) {
                return NOMEM;
            }
            m.write(buf, ip);
            m.writeI32(typePtr, ip.length == 4 ? 4 : 6);
        }
        m.writeI32(portPtr, a.getPort());
        return SUCCESS;
    }

    private static byte[] intBytes(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    private static int intOf(byte[] v) {
        return v.length < 4 ? 0 : ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    }

    /** wasi-libc's {@code struct linger { int l_onoff; int l_linger; }}. */
    private static byte[] lingerBytes(Duration linger) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(linger == null ? 0 : 1)
                .putInt(linger == null ? 0 : (int) Math.min(linger.toSeconds(), Integer.MAX_VALUE)).array();
    }

    private static Duration lingerOf(byte[] v) {
        ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN);
        return b.getInt(0) == 0 ? null : Duration.ofSeconds(Math.max(b.getInt(4), 0));
    }

    private static int optionSize(int name) {
        return switch (name) {
            case SO_RCVTIMEO, SO_SNDTIMEO -> 16; // wasi-libc struct timeval { i64 tv_sec; i64 tv_usec; }
            case SO_LINGER -> 8;
            default -> 4;
        };
    }

    /** A kernel default read from /proc (for sockets that do not exist yet), or {@code fallback}. */
    private static int procInt(String path, int fallback) {
        try {
            return Integer.parseInt(java.nio.file.Files.readString(java.nio.file.Path.of(path)).trim());
        } catch (IOException | RuntimeException e) {
            return fallback;
        }
    }

    /**
     * {@code sock_getsockopt(fd, level, name, *val, *len)}: read from the OS socket through io.mio's getters where it
     * has one; SO_ERROR and SO_TYPE in WASI terms; the host-side value (or Linux's default) otherwise.
     */
    public int sockGetOpt(Memory m, int fd, int level, int name, int valPtr, int lenPtr) {
        return errno(() -> sockGetOpt0(m, fd, level, name, valPtr, lenPtr));
    }

    private int sockGetOpt0(Memory m, int fd, int level, int name, int valPtr, int lenPtr) {
        aligned(lenPtr, 4);
        if (level != 0 || name < 0 || name > SO_BINDTODEVICE) {
            return INVAL;
        }
        check(m, lenPtr, 4, 4);
        int len = m.readInt(lenPtr);
        check(m, valPtr, len & 0xFFFF_FFFFL); // a u32: a "negative" length is a huge one, past memory
        int room = (int) Math.min(len & 0xFFFF_FFFFL, Integer.MAX_VALUE);
        GuestSocket s = sock(fd);
        byte[] value;
        try {
            value = RawSocketOptions.linuxName(name) >= 0 ? rawOptionValue(s, name, room) : optionValue(s, name);
        } catch (ErrnoException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            return WasiErrno.of(e);
        }
        int n = Math.min(room, value.length);
        m.write(valPtr, value, 0, n);
        m.writeI32(lenPtr, n);
        return SUCCESS;
    }

    private byte[] optionValue(GuestSocket s, int name) throws IOException {
        switch (name) {
            case SO_TYPE -> {
                return intBytes(s.type);
            }
            case SO_ACCEPTCONN -> {
                return intBytes(s.listener != null ? 1 : 0);
            }
            case SO_ERROR -> {
                IOException e = s.stream != null ? s.stream.takeError() : s.udp != null ? s.udp.takeError() : null;
                return intBytes(e == null ? 0 : WasiErrno.of(e));
            }
            case SO_REUSEADDR -> {
                if (s.tcp != null) {
                    return intBytes(s.tcp.reuseAddr() ? 1 : 0);
                }
            }
            case SO_KEEPALIVE -> {
                if (s.tcp != null) {
                    return intBytes(s.tcp.keepalive() ? 1 : 0);
                }
                if (s.stream != null) {
                    return intBytes(s.stream.keepalive() ? 1 : 0);
                }
            }
            case SO_LINGER -> {
                if (s.tcp != null) {
                    return lingerBytes(s.tcp.linger());
                }
                if (s.stream != null) {
                    return lingerBytes(s.stream.linger());
                }
            }
            case SO_SNDBUF -> {
                if (s.tcp != null || s.stream != null || s.udp != null) {
                    return intBytes(s.tcp != null ? s.tcp.sendBufferSize()
                            : s.stream != null ? s.stream.sendBufferSize() : s.udp.sendBufferSize());
                }
            }
            case SO_RCVBUF -> {
                if (s.tcp != null || s.stream != null || s.udp != null) {
                    return intBytes(s.tcp != null ? s.tcp.recvBufferSize()
                            : s.stream != null ? s.stream.recvBufferSize() : s.udp.recvBufferSize());
                }
            }
            case SO_BROADCAST -> {
                if (s.udp != null) {
                    return intBytes(s.udp.broadcast() ? 1 : 0);
                }
            }
            default -> { }
        }
        byte[] v = s.options.get(name);
        boolean buffers = name == SO_SNDBUF || name == SO_RCVBUF;
        if (v != null) {
            // a buffer size waiting for the UDP socket to exist: Linux reports it doubled
            return buffers && s.isUdp() && s.udp == null ? intBytes(2 * intOf(v)) : v;
        }
        if (buffers) { // an unbound UDP socket: the kernel's defaults
            return intBytes(name == SO_SNDBUF ? procInt("/proc/sys/net/core/wmem_default", 212992)
                    : procInt("/proc/sys/net/core/rmem_default", 212992));
        }
        return new byte[optionSize(name)];
    }

    /**
     * {@code sock_setsockopt(fd, level, name, *val, len)}: applied to the OS socket through io.mio's setters
     * (TcpSocket before listen/connect, TcpStream, UdpSocket; a UDP socket's options wait for it to be bound). What
     * the socket's io.mio type cannot set at its stage (SO_REUSEADDR on a stream or bound UDP socket, where Linux
     * accepts it with no effect; any option on a listener; SO_BROADCAST on TCP; SO_KEEPALIVE/SO_LINGER on UDP) is
     * kept host-side and read back. SO_DONTROUTE, SO_OOBINLINE, SO_RCVLOWAT and SO_BINDTODEVICE, which io.mio has
     * no setter for, are set with setsockopt on the descriptor io.mio exposes (see {@link #setRawOption}).
     * SO_RCVTIMEO and SO_SNDTIMEO bound the host's blocking waits.
     */
    public int sockSetOpt(Memory m, int fd, int level, int name, int valPtr, int len) {
        return errno(() -> sockSetOpt0(m, fd, level, name, valPtr, len));
    }

    private int sockSetOpt0(Memory m, int fd, int level, int name, int valPtr, int len) {
        if (level != 0 || name < 0 || name > SO_BINDTODEVICE) {
            return INVAL;
        }
        check(m, valPtr, len & 0xFFFF_FFFFL); // a u32: a "negative" length is a huge one, past memory
        GuestSocket s = sock(fd);
        if (name == SO_TYPE || name == SO_ERROR || name == SO_ACCEPTCONN) {
            return NOPROTOOPT; // read-only on Linux
        }
        long ulen = len & 0xFFFF_FFFFL;
        byte[] v = m.readBytes(valPtr, (int) Math.min(ulen, 16)); // no option value is longer: read no more
        if (name != SO_BINDTODEVICE && ulen < optionSize(name)) {
            return INVAL;
        }
        if (RawSocketOptions.linuxName(name) >= 0) {
            return setRawOption(s, name, v);
        }
        v = Arrays.copyOf(v, optionSize(name));
        if (name == SO_RCVTIMEO || name == SO_SNDTIMEO) {
            ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN);
            long sec = b.getLong(0);
            long usec = b.getLong(8);
            // Linux (sock_set_timeout): tv_usec out of range is EDOM; a negative tv_sec means "do not wait"
            // (timeout 0 in the kernel, here -1); 0/0 means no timeout.
            if (usec < 0 || usec >= 1_000_000) {
                return DOM;
            }
            long nanos = sec < 0 ? -1
                    : sec > Long.MAX_VALUE / 2_000_000_000L ? 0 : sec * 1_000_000_000L + usec * 1000;
            if (name == SO_RCVTIMEO) {
                s.rcvTimeoutNanos = nanos;
            } else {
                s.sndTimeoutNanos = nanos;
            }
            s.options.put(name, v);
            return SUCCESS;
        }
        try {
            if (!applyOption(s, name, v)) {
                s.options.put(name, v);
            }
        } catch (IOException | RuntimeException e) {
            return WasiErrno.of(e);
        }
        return SUCCESS;
    }

    /** The OS descriptor io.mio exposes for {@code s} (its stream, listener or datagram socket), or -1. */
    private static int rawFd(GuestSocket s) throws IOException {
        return s.stream != null ? s.stream.rawFd() : s.listener != null ? s.listener.rawFd()
                : s.udp != null ? s.udp.rawFd() : -1;
    }

    /**
     * setsockopt of an option io.mio has no setter for (SO_DONTROUTE, SO_OOBINLINE, SO_RCVLOWAT, SO_BINDTODEVICE):
     * set on the OS socket through {@link RawSocketOptions}, or, while io.mio has no descriptor to show for it (a TCP
     * socket before listen or connect, a UDP socket before it is bound), kept and set as soon as it has one (see
     * {@link #applyKeptRawOptions}). NOPROTOOPT where raw options cannot be set (selector backend, no native access).
     * SO_BINDTODEVICE: as Linux, the name is read up to its NUL and at most 15 bytes, "" unbinds, an unknown device
     * is NODEV; a device other than the loopback one must be allowed by the sandbox (else PERM).
     */
    private int setRawOption(GuestSocket s, int name, byte[] v) {
        if (!RawSocketOptions.available()) {
            NetPolicy.LOG.fine(() -> "sock_setsockopt: option " + name + " needs io.mio's epoll backend and native"
                    + " access for io.mio.wasm (NOPROTOOPT)");
            return NOPROTOOPT;
        }
        byte[] value;
        if (name == SO_BINDTODEVICE) {
            int n = 0;
            while (n < Math.min(v.length, RawSocketOptions.IFNAMSIZ - 1) && v[n] != 0) {
                n++;
            }
            value = Arrays.copyOf(v, n);
            if (n > 0) {
                int r = checkDevice(new String(value, StandardCharsets.ISO_8859_1));
                if (r != SUCCESS) {
                    return r;
                }
            }
        } else {
            value = Arrays.copyOf(v, 4);
        }
        try {
            int fd = rawFd(s);
            if (fd < 0) {
                s.options.put(name, value); // set when the OS socket exists
                return SUCCESS;
            }
            return RawSocketOptions.set(fd, RawSocketOptions.linuxName(name), value);
        } catch (IOException | RuntimeException e) {
            return WasiErrno.of(e);
        }
    }

    /** Whether the guest may bind a socket to {@code device}: SUCCESS, NODEV (no such device) or PERM (sandbox). */
    private int checkDevice(String device) {
        java.net.NetworkInterface nif;
        try {
            nif = java.net.NetworkInterface.getByName(device);
            if (nif == null) {
                return NODEV;
            }
            if (nif.isLoopback() || policy.allowsDevice(device)) {
                return SUCCESS;
            }
        } catch (java.net.SocketException e) {
            return WasiErrno.of(e);
        }
        NetPolicy.refused("sock_setsockopt SO_BINDTODEVICE", device, "PERM", "--allow-device", device);
        return PERM;
    }

    /**
     * Sets the raw options kept while {@code s} had no OS descriptor (see {@link #setRawOption}), now that it has
     * one; each then reads back from the OS.
     *
     * @return SUCCESS, or the errno of the first that failed (the socket stays as it is)
     */
    private static int applyKeptRawOptions(GuestSocket s) {
        for (int name : new int[] {SO_BINDTODEVICE, SO_DONTROUTE, SO_OOBINLINE, SO_RCVLOWAT}) {
            byte[] v = s.options.get(name);
            if (v == null) {
                continue;
            }
            try {
                int r = RawSocketOptions.set(rawFd(s), RawSocketOptions.linuxName(name), v);
                if (r != SUCCESS) {
                    NetPolicy.LOG.warning(() -> "setting option " + name + " kept for " + s + " failed: errno " + r);
                    return r;
                }
            } catch (IOException | RuntimeException e) {
                return WasiErrno.of(e);
            }
            s.options.remove(name);
        }
        return SUCCESS;
    }

    /**
     * Whether a TCP socket with a device kept for it ({@code SO_BINDTODEVICE} before connect) may connect to {@code
     * target}: io.mio's connect creates and connects the socket in one call, so the device can only be set after the
     * SYN went out along the routing table's path. That is honest only if that path leaves through the device, which
     * a connected probe datagram socket tells (the source address routing picks, and its interface).
     */
    private static boolean routeLeavesThrough(InetSocketAddress target, String device) {
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket()) {
            probe.connect(target);
            java.net.NetworkInterface nif = java.net.NetworkInterface.getByInetAddress(probe.getLocalAddress());
            return nif != null && nif.getName().equals(device);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * getsockopt of a raw option (see {@link #setRawOption}): from the OS socket when io.mio shows its descriptor,
     * else the value kept for it or Linux's default. SO_BINDTODEVICE reads as Linux gives it: the name and its NUL,
     * nothing when unbound, INVAL into a buffer too small for the name.
     */
    private byte[] rawOptionValue(GuestSocket s, int name, int len) throws IOException {
        int fd = RawSocketOptions.available() ? rawFd(s) : -1;
        if (fd >= 0) {
            return RawSocketOptions.get(fd, RawSocketOptions.linuxName(name),
                    name == SO_BINDTODEVICE ? Math.min(len, RawSocketOptions.IFNAMSIZ) : 4);
        }
        byte[] v = s.options.get(name);
        if (name == SO_BINDTODEVICE) {
            if (v == null || v.length == 0) {
                return new byte[0];
            }
            if (len < v.length + 1) {
                throw new ErrnoException(INVAL);
            }
            return Arrays.copyOf(v, v.length + 1);
        }
        return v != null ? v : intBytes(name == SO_RCVLOWAT ? 1 : 0);
    }

    /** Sets an option on the OS socket if io.mio can at this stage; false if it has to be kept host-side. */
    private static boolean applyOption(GuestSocket s, int name, byte[] v) throws IOException {
        int x = intOf(v);
        // Linux raises a too-small buffer size to its minimum; io.mio wants a positive size
        int size = Math.max(x, 1);
        switch (name) {
            case SO_REUSEADDR -> {
                if (s.tcp != null) {
                    s.tcp.setReuseAddr(x != 0);
                    return true;
                }
            }
            case SO_KEEPALIVE -> {
                if (s.tcp != null) {
                    s.tcp.setKeepalive(x != 0);
                    return true;
                }
                if (s.stream != null) {
                    s.stream.setKeepalive(x != 0);
                    return true;
                }
            }
            case SO_LINGER -> {
                if (s.tcp != null) {
                    s.tcp.setLinger(lingerOf(v));
                    return true;
                }
                if (s.stream != null) {
                    s.stream.setLinger(lingerOf(v));
                    return true;
                }
            }
            case SO_SNDBUF -> {
                if (s.tcp != null) {
                    s.tcp.setSendBufferSize(size);
                    return true;
                }
                if (s.stream != null) {
                    s.stream.setSendBufferSize(size);
                    return true;
                }
                if (s.udp != null) {
                    s.udp.setSendBufferSize(size);
                    return true;
                }
            }
            case SO_RCVBUF -> {
                if (s.tcp != null) {
                    s.tcp.setRecvBufferSize(size);
                    return true;
                }
                if (s.stream != null) {
                    s.stream.setRecvBufferSize(size);
                    return true;
                }
                if (s.udp != null) {
                    s.udp.setRecvBufferSize(size);
                    return true;
                }
            }
            case SO_BROADCAST -> {
                if (s.udp != null) {
                    s.udp.setBroadcast(x != 0);
                    return true;
                }
            }
            default -> { }
        }
        return false;
    }

    /** {@code sock_getaddrinfo(node, node_len, service, service_len, *hints, *res, max, *res_len)}. */
    public int sockGetAddrinfo(Memory m, int nodePtr, int nodeLen, int servicePtr, int serviceLen, int hintsPtr,
            int resPtr, int max, int resLenPtr) {
        return errno(() -> sockGetAddrinfo0(m, nodePtr, nodeLen, servicePtr, serviceLen, hintsPtr, resPtr, max, resLenPtr));
    }

    private int sockGetAddrinfo0(Memory m, int nodePtr, int nodeLen, int servicePtr, int serviceLen, int hintsPtr,
            int resPtr, int max, int resLenPtr) {
        aligned(hintsPtr, 4);
        aligned(resPtr, 4);
        aligned(resLenPtr, 4);
        byte[] nodeBytes = cString(m, nodePtr, nodeLen);
        String node = new String(nodeBytes, StandardCharsets.UTF_8);
        String service = new String(cString(m, servicePtr, serviceLen), StandardCharsets.UTF_8);
        check(m, hintsPtr, 28, 4);
        check(m, resPtr, 4, 4);
        check(m, resLenPtr, 4, 4);
        int flags = m.readShort(hintsPtr) & 0xFFFF;
        int family = m.read(hintsPtr + 2) & 0xFF;
        int socktype = m.read(hintsPtr + 3) & 0xFF;
        int protocol = m.read(hintsPtr + 4) & 0xFF;
        // as WasmEdge, a node or service of length 0 is absent (NULL to getaddrinfo); "\0" is an empty name
        boolean noNode = nodeLen == 0;
        if (noNode && serviceLen == 0) {
            return AINONAME;
        }
        if (max == 0) {
            return AIMEMORY;
        }
        if ((flags & ~AI_ALL_FLAGS) != 0 || (flags & AI_CANONNAME) != 0 && noNode) {
            return AIBADFLAG;
        }
        if (family > GuestSocket.AF_INET6) {
            return AIFAMILY;
        }
        if (protocol > PROTO_UDP || socktype > GuestSocket.SOCK_STREAM) {
            return NOSYS;
        }
        checkResultChain(m, m.readInt(resPtr), max & 0xFFFF_FFFFL);
        int port;
        if (service.isEmpty()) {
            port = 0;
        } else if (service.chars().allMatch(Character::isDigit) && service.length() <= 5
                && Integer.parseInt(service) <= 65535) {
            port = Integer.parseInt(service);
        } else if ((flags & AI_NUMERICSERV) != 0) {
            return AINONAME;
        } else {
            Integer p = SERVICES.get(service);
            if (p == null) {
                return AISERVICE;
            }
            port = p;
        }
        List<InetAddress> addrs = new ArrayList<>();
        if (!noNode && node.isEmpty()) {
            return AINONAME; // getaddrinfo("", ...)
        }
        if (noNode) {
            boolean passive = (flags & AI_PASSIVE) != 0;
            if (family != GuestSocket.AF_INET6) {
                addrs.add(literal(passive ? "0.0.0.0" : "127.0.0.1"));
            }
            if (family != GuestSocket.AF_INET4) {
                addrs.add(literal(passive ? "::" : "::1"));
            }
        } else if (isLiteral(node)) {
            addrs.add(literal(node));
        } else if ((flags & AI_NUMERICHOST) != 0) {
            return AINONAME;
        } else if (node.equalsIgnoreCase("localhost")) {
            addrs.add(literal("127.0.0.1"));
            addrs.add(literal("::1"));
        } else if (nodeBytes.length > MAX_NAME) {
            return AINONAME; // longer than any host name
        } else if (!policy.allowsResolve(node)) {
            NetPolicy.refused("sock_getaddrinfo", node, "PERM", "--allow-resolve", node);
            return PERM;
        } else {
            try {
                addrs.addAll(Arrays.asList(InetAddress.getAllByName(node)));
            } catch (UnknownHostException e) {
                return AINONAME;
            }
        }
        addrs.removeIf(a -> family != 0 && familyOf(a) != family);
        if (addrs.isEmpty()) {
            return family != 0 ? AIADDRFAMILY : AINONAME;
        }
        // socktype/protocol combinations: 0 gives both stream/TCP and dgram/UDP, as getaddrinfo does
        List<int[]> kinds = new ArrayList<>();
        for (int t : new int[] {GuestSocket.SOCK_STREAM, GuestSocket.SOCK_DGRAM}) {
            int proto = t == GuestSocket.SOCK_STREAM ? PROTO_TCP : PROTO_UDP;
            if ((socktype == 0 || socktype == t) && (protocol == 0 || protocol == proto)) {
                kinds.add(new int[] {t, proto});
            }
        }
        if (kinds.isEmpty()) {
            return AISOCKTYPE;
        }
        int count = 0;
        long limit = max & 0xFFFF_FFFFL;
        int ai = m.readInt(resPtr);
        Set<Integer> filled = new HashSet<>(); // each guest record takes one result, even in a cyclic chain
        filled.add(ai);
        outer:
        for (InetAddress a : addrs) {
            for (int[] k : kinds) {
                if (count >= limit) {
                    break outer;
                }
                check(m, ai, 28); // no alignment asked of the guest's records, as WasmEdge asks none
                boolean v6 = a instanceof Inet6Address;
                m.writeShort(ai, (short) flags);
                m.writeByte(ai + 2, (byte) familyOf(a));
                m.writeByte(ai + 3, (byte) k[0]);
                m.writeByte(ai + 4, (byte) k[1]);
                m.writeI32(ai + 8, v6 ? 28 : 16);
                int sa = m.readInt(ai + 12);
                check(m, sa, 12);
                m.writeByte(sa, (byte) familyOf(a));
                int dataLen = v6 ? 26 : 14;
                long cap = m.readInt(sa + 4) & 0xFFFF_FFFFL;
                int saData = m.readInt(sa + 8);
                int n = (int) Math.min(cap, dataLen); // what fits in the guest's sa_data (none if it has no room)
                byte[] data = new byte[dataLen];
                data[0] = (byte) (port >> 8);
                data[1] = (byte) port;
                byte[] ip = a.getAddress();
                System.arraycopy(ip, 0, data, v6 ? 6 : 2, ip.length);
                GuestMemory.write(m, saData, data, 0, n);
                m.writeI32(sa + 4, dataLen);
                if ((flags & AI_CANONNAME) != 0) {
                    int cn = m.readInt(ai + 16);
                    long cnCap = m.readInt(ai + 20) & 0xFFFF_FFFFL;
                    if (cnCap > 0) { // the name, cut to the buffer, and its NUL; nothing into a 0-byte buffer
                        byte[] name = node.getBytes(StandardCharsets.UTF_8);
                        int k2 = (int) Math.min(name.length, cnCap - 1);
                        check(m, cn, k2 + 1L);
                        m.write(cn, name, 0, k2);
                        m.writeByte(cn + k2, (byte) 0);
                        m.writeI32(ai + 20, k2);
                    }
                }
                count++;
                int next = m.readInt(ai + 24);
                if (next == 0 || !filled.add(next)) {
                    break outer;
                }
                ai = next;
            }
        }
        m.writeI32(resLenPtr, count);
        return SUCCESS;
    }

    /**
     * WasmEdge's check of the guest's result chain before it resolves anything: the first {@code max} records, as
     * {@code ai_next} links them (0 is an address like any other), must lie in memory, and so must each one's
     * sockaddr (12 bytes), its {@code sa_data} buffer and its {@code ai_canonname} buffer (by their lengths), else
     * FAULT. A chain that loops is walked only until the loop is certain (Floyd's tortoise and hare: every record
     * it holds has then been checked), so the work is bounded by the records there are, not by {@code max}.
     */
    private static void checkResultChain(Memory m, int head, long max) {
        int fast = head;
        int slow = head;
        for (long checked = 0; checked < max; ) {
            fast = checkResultRecord(m, fast);
            if (++checked == max) {
                return;
            }
            fast = checkResultRecord(m, fast);
            checked++;
            slow = m.readInt(slow + 24); // checked already
            if (fast == slow) {
                return; // a loop, every record of which has been checked
            }
        }
    }

    /** Checks one result record and what it points at; returns its ai_next. */
    private static int checkResultRecord(Memory m, int ai) {
        check(m, ai, 28);
        int sa = m.readInt(ai + 12);
        check(m, sa, 12);
        check(m, m.readInt(sa + 8), m.readInt(sa + 4) & 0xFFFF_FFFFL);
        check(m, m.readInt(ai + 16), m.readInt(ai + 20) & 0xFFFF_FFFFL);
        return m.readInt(ai + 24);
    }

    private static final Map<String, Integer> SERVICES = Map.of("http", 80, "https", 443, "ftp", 21, "ssh", 22,
            "smtp", 25, "domain", 53, "ntp", 123, "imap", 143, "pop3", 110, "telnet", 23);

    /** The longest node or service name read: a longer one is cut to {@code MAX_NAME + 1} bytes. */
    private static final int MAX_NAME = 1024;

    /**
     * The C string in {@code [ptr, ptr + len)}: its bytes up to the first NUL (or all of them), but no more than
     * {@code MAX_NAME + 1}, so that a guest's length does not decide how much the host copies.
     */
    private static byte[] cString(Memory m, int ptr, int len) {
        check(m, ptr, len & 0xFFFF_FFFFL);
        byte[] b = m.readBytes(ptr, (int) Math.min(len & 0xFFFF_FFFFL, MAX_NAME + 1));
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return Arrays.copyOf(b, n);
    }

    private static boolean isLiteral(String s) {
        try {
            InetAddress.ofLiteral(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static InetAddress literal(String s) {
        return InetAddress.ofLiteral(s);
    }

    // ---------------------------------------------------------------------------------------------------------
    // preview 1 calls on sockets

    /** {@code fd_fdstat_get} on a socket: SOCKET_STREAM, NONBLOCK flag, the socket rights. */
    public int fdFdstatGet(Memory m, int fd, int buf) {
        return errno(() -> fdFdstatGet0(m, fd, buf));
    }

    private int fdFdstatGet0(Memory m, int fd, int buf) {
        check(m, buf, 24, 8);
        GuestSocket s = sock(fd);
        m.write(buf, new byte[24]);
        m.writeByte(buf, (byte) FILETYPE_SOCKET_STREAM);
        m.writeShort(buf + 2, (short) ((s.nonblocking ? FDFLAGS_NONBLOCK : 0) | (s.append ? FDFLAGS_APPEND : 0)));
        m.writeLong(buf + 8, SOCKET_RIGHTS);
        m.writeLong(buf + 16, 0);
        return SUCCESS;
    }

    /** {@code fd_fdstat_set_flags} on a socket: NONBLOCK switches the guest socket's mode. */
    public int fdFdstatSetFlags(int fd, int flags) {
        return errno(() -> fdFdstatSetFlags0(fd, flags));
    }

    private int fdFdstatSetFlags0(int fd, int flagsArg) {
        int flags = flagsArg & 0xFFFF; // a u16 in WasmEdge
        if ((flags & ~FDFLAGS_ALL) != 0) {
            return INVAL;
        }
        GuestSocket s = sockets.get(fd);
        if (s == null) {
            return BADF;
        }
        if ((flags & (FDFLAGS_DSYNC | FDFLAGS_RSYNC | FDFLAGS_SYNC)) != 0) {
            return NOTCAPABLE; // WasmEdge: they need FD_DATASYNC / FD_SYNC, rights a socket does not have
        }
        s.nonblocking = (flags & FDFLAGS_NONBLOCK) != 0;
        s.append = (flags & FDFLAGS_APPEND) != 0; // no effect on a socket (Linux keeps the flag all the same)
        return SUCCESS;
    }

    /** {@code fd_close} on a socket: deregisters and closes it. */
    public int fdClose(int fd) {
        return errno(() -> fdClose0(fd));
    }

    private int fdClose0(int fd) {
        GuestSocket s = removeSocket(fd);
        if (s == null) {
            return BADF;
        }
        s.close();
        return SUCCESS;
    }

    /**
     * {@code fd_renumber} where {@code from} or {@code to} is a socket: socket onto socket moves it (closing the
     * one at {@code to}); moving between Chicory's table and the socket table is NOTSUP.
     */
    public int fdRenumber(int from, int to) {
        GuestSocket s = sockets.get(from);
        if (s == null || !sockets.containsKey(to)) {
            return NOTSUP; // moving between Chicory's table and ours is not supported
        }
        if (from == to) {
            return SUCCESS;
        }
        // Token == fd: re-register under the new number first, so that a failure leaves both sockets as they were
        // (in the table, closable by the guest) rather than one open and registered but unreachable.
        if (s.registered) {
            try {
                registryCalls++;
                poll.registry().reregister(s.source(), new Token(to), s.interest());
            } catch (IOException e) {
                return WasiErrno.of(e);
            }
        }
        GuestSocket old = removeSocket(to);
        old.close();
        removeSocket(from);
        s.fd = to; // the same socket, its state and readiness kept, under the new number
        putSocket(s);
        return SUCCESS;
    }

    // ---------------------------------------------------------------------------------------------------------
    // poll_oneoff

    private long clockNow(int id) {
        if (id == CLOCK_REALTIME) {
            java.time.Instant now = java.time.Instant.now();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        }
        return System.nanoTime();
    }

    /**
     * {@code poll_oneoff(in, out, nsubs, *nevents)}, level-triggered. A socket subscription is ready when the
     * socket's known readiness says so (see the class comment), else the call waits in the Poll; subscriptions on
     * Chicory's fds are always ready except FD_READ on stdin, which asks Chicory; an unknown fd gives an event with
     * error BADF and a repeated (fd, type) one with error EXIST, an unknown type, clock or clock flag one with error
     * INVAL; zero subscriptions return success with no event (WasmEdge); more than {@link #MAX_SUBSCRIPTIONS} are
     * INVAL. Misaligned arrays (8 bytes) or nevents (4) are ADDRNOTAVAIL, arrays outside memory FAULT, as in
     * WasmEdge 0.17.1.
     */
    public int pollOneoff(Memory m, int in, int out, int nsubs, int neventsPtr) {
        return errno(() -> pollOneoff0(m, in, out, nsubs, neventsPtr, false));
    }

    /**
     * {@code epoll_oneoff} (WasmEdge 0.11.2+): {@link #pollOneoff} made edge-triggered. Each readiness an event
     * brought is reported once, until the socket becomes ready again; a socket subscribed with another interest
     * than on the last epoll_oneoff call that named it is reported at its current level, as WasmEdge's re-arming
     * of its epoll registration does.
     */
    public int epollOneoff(Memory m, int in, int out, int nsubs, int neventsPtr) {
        return errno(() -> pollOneoff0(m, in, out, nsubs, neventsPtr, true));
    }

    private static final int EDGE_READ = 1;
    private static final int EDGE_WRITE = 2;

    private void growSubscriptions(int count) {
        if (subUserdata.length >= count) {
            return;
        }
        // doubling, but never past the most a call may subscribe: what one call allocates stays bounded by that
        int c = (int) Math.min(MAX_SUBSCRIPTIONS, Math.max(count, 2L * subUserdata.length));
        allocateSubscriptions(c);
    }

    private void allocateSubscriptions(int c) {
        subUserdata = new long[c];
        subTag = new int[c];
        subFd = new int[c];
        subDeadline = new long[c];
        subReady = new boolean[c];
        subError = new int[c];
        subNbytes = new long[c];
        subFlags = new int[c];
        subStdin = new boolean[c];
        subSock = new GuestSocket[c];
    }

    private int pollOneoff0(Memory m, int in, int out, int nsubs, int neventsPtr, boolean edge) {
        long n = nsubs & 0xFFFF_FFFFL;
        // WasmEdge 0.17.1: the arrays' alignment (8) and nevents' (4) first, even for no subscription, then memory
        aligned(in, 8);
        aligned(out, 8);
        aligned(neventsPtr, 4);
        check(m, in, n * 48);
        check(m, out, n * 32);
        check(m, neventsPtr, 4);
        boolean calledBetween = callSincePoll;
        callSincePoll = false;
        if (n == 0) {
            m.writeI32(neventsPtr, 0);
            return SUCCESS;
        }
        if (n > MAX_SUBSCRIPTIONS) {
            return INVAL; // as poll(2) for more descriptors than RLIMIT_NOFILE; bounds what is allocated below
        }
        int count = (int) n;
        growSubscriptions(count);
        long[] userdata = subUserdata;
        int[] tag = subTag;
        int[] fds = subFd;
        long[] deadline = subDeadline;
        boolean[] ready = subReady;
        int[] error = subError;
        long[] nbytes = subNbytes;
        int[] flags = subFlags;
        boolean[] stdin = subStdin;
        GuestSocket[] sock = subSock;
        Arrays.fill(ready, 0, count, false);
        Arrays.fill(error, 0, count, 0);
        Arrays.fill(nbytes, 0, count, 0);
        Arrays.fill(flags, 0, count, 0);
        Arrays.fill(stdin, 0, count, false);
        int stamp = ++callStamp == 0 ? ++callStamp : callStamp;
        boolean anySocket = false;
        boolean anyStdin = false;
        long now = System.nanoTime();
        long minDeadline = 0;
        boolean anyClock = false;
        int others = 0;
        Set<Long> otherSeen = null;
        boolean rearmed = false;
        try {
            for (int k = 0; k < count; k++) {
                int p = in + k * 48;
                userdata[k] = m.readLong(p);
                tag[k] = m.read(p + 8) & 0xFF;
                sock[k] = null;
                switch (tag[k]) {
                    case EVENTTYPE_CLOCK -> {
                        int id = m.readInt(p + 16);
                        long timeout = m.readLong(p + 24);
                        int cflags = m.readShort(p + 40) & 0xFFFF;
                        // as WasmEdge: a bad clock (the CPU-time ones too: no timer for them) or bad flags make
                        // that subscription's event an INVAL error, not the call
                        if (id != CLOCK_REALTIME && id != CLOCK_MONOTONIC || (cflags & ~SUBCLOCK_ABSTIME) != 0) {
                            ready[k] = true;
                            error[k] = INVAL;
                            continue;
                        }
                        // timeout is a u64: above 2^63 it is negative here, and means "far away"
                        long rel = timeout < 0 ? Long.MAX_VALUE
                                : (cflags & SUBCLOCK_ABSTIME) != 0 ? timeout - clockNow(id) : timeout;
                        // at least 1 ns (WasmEdge); at most 2^62 ns (146 years) so that nanoTime arithmetic,
                        // compared by subtraction, cannot overflow
                        rel = Math.min(Math.max(rel, 1), 1L << 62);
                        deadline[k] = now + rel;
                        if (!anyClock || deadline[k] - minDeadline < 0) {
                            minDeadline = deadline[k];
                        }
                        anyClock = true;
                    }
                    case EVENTTYPE_FD_READ, EVENTTYPE_FD_WRITE -> {
                        int fd = m.readInt(p + 16);
                        fds[k] = fd;
                        boolean read = tag[k] == EVENTTYPE_FD_READ;
                        GuestSocket s = lookup(fd);
                        if (s == null) {
                            // not a socket: repeats are found by a scan while there are few such subscriptions
                            boolean repeat = false;
                            if (++others <= 32) {
                                for (int j = 0; j < k && !repeat; j++) {
                                    repeat = tag[j] == tag[k] && fds[j] == fd && sock[j] == null;
                                }
                            } else {
                                if (otherSeen == null) {
                                    otherSeen = new HashSet<>();
                                    for (int j = 0; j < k; j++) {
                                        if (tag[j] != EVENTTYPE_CLOCK && sock[j] == null) {
                                            otherSeen.add(((long) fds[j] << 2) | tag[j]);
                                        }
                                    }
                                }
                                repeat = !otherSeen.add(((long) fd << 2) | tag[k]);
                            }
                            if (repeat) {
                                ready[k] = true;
                                error[k] = EXIST;
                                continue;
                            }
                            int kind = chicoryKind(fd);
                            if (kind < 0) {
                                ready[k] = true;
                                error[k] = BADF;
                            } else if (kind == KIND_STDIN && read) {
                                stdin[k] = true;
                                anyStdin = true;
                            } else {
                                ready[k] = true; // files and output streams are always ready
                            }
                            continue;
                        }
                        if (read ? s.readStamp == stamp : s.writeStamp == stamp) {
                            ready[k] = true;
                            error[k] = EXIST;
                            continue;
                        }
                        if (read) {
                            s.readStamp = stamp;
                        } else {
                            s.writeStamp = stamp;
                        }
                        if (s.isUdp() && s.shutRead && read) {
                            ready[k] = true; // shut down for reading: a read returns at once
                            nbytes[k] = 1;
                        } else if (s.isUdp() && s.udp == null) {
                            // unbound datagram socket: writable (a send binds it), never readable
                            if (!read) {
                                ready[k] = true;
                                nbytes[k] = 1;
                            }
                        } else if (s.source() == null) {
                            // A TCP socket neither listening nor connected: Linux reports EPOLLOUT | EPOLLHUP
                            ready[k] = true;
                            flags[k] = EVENT_HANGUP;
                            nbytes[k] = 1;
                        } else {
                            ensureRegistered(s);
                            sock[k] = s;
                            anySocket = true;
                            if (!edge && (read ? s.readState : s.writeState) == GuestSocket.MAYBE) {
                                rearm(s); // level-triggered: learn whether a read took all there was
                                rearmed = true;
                            }
                            if (edge) {
                                if (s.edgeStamp != stamp) {
                                    s.edgeStamp = stamp;
                                    s.edgeCallInterest = 0;
                                }
                                s.edgeCallInterest |= read ? EDGE_READ : EDGE_WRITE;
                            } else {
                                s.edgeInterest = 0; // an epoll_oneoff subscribing it next reports its level
                            }
                        }
                    }
                    default -> {
                        ready[k] = true; // an unknown type: an INVAL event of that type (WasmEdge)
                        error[k] = INVAL;
                    }
                }
            }
            if (edge) {
                for (int k = 0; k < count; k++) {
                    GuestSocket s = sock[k];
                    if (s != null && s.edgeInterest != s.edgeCallInterest) {
                        // subscribed anew or with another interest: WasmEdge re-arms its epoll registration,
                        // which reports the level that is up
                        if ((s.edgeCallInterest & EDGE_READ) != 0 && s.readState == GuestSocket.MAYBE
                                || (s.edgeCallInterest & EDGE_WRITE) != 0 && s.writeState == GuestSocket.MAYBE) {
                            rearm(s);
                            rearmed = true;
                        }
                        s.pendingRead |= (s.edgeCallInterest & EDGE_READ) != 0 && s.readable();
                        s.pendingWrite |= (s.edgeCallInterest & EDGE_WRITE) != 0 && s.writable();
                        s.edgeInterest = s.edgeCallInterest;
                    }
                }
            }
            if (anySocket) {
                pollEpoch++; // only a call that asks the Poll (now, or next time at the latest) opens a new epoch
            }
            waitForSubscriptions(count, edge, anySocket, anyStdin, anyClock, minDeadline, calledBetween && !rearmed);
            int written = 0;
            for (int k = 0; k < count; k++) {
                if (!ready[k]) {
                    continue;
                }
                GuestSocket s = sock[k];
                if (s != null) {
                    // reported: an edge not yet reported is now
                    if (tag[k] == EVENTTYPE_FD_READ) {
                        s.pendingRead = false;
                    } else {
                        s.pendingWrite = false;
                    }
                    flags[k] = s.readClosed && s.writeClosed ? EVENT_HANGUP : 0;
                }
                int p = out + written * 32;
                m.writeLong(p, userdata[k]);
                // error (u16) at +8, type (u8) at +10, padding to +16; nbytes at +16; flags (u16) at +24, padding
                m.writeLong(p + 8, (error[k] & 0xFFFFL) | (long) (tag[k] & 0xFF) << 16);
                boolean fdEvent = tag[k] != EVENTTYPE_CLOCK && error[k] == 0;
                m.writeLong(p + 16, fdEvent ? nbytes[k] : 0);
                m.writeLong(p + 24, fdEvent ? flags[k] & 0xFFFF : 0);
                written++;
            }
            m.writeI32(neventsPtr, written);
            return SUCCESS;
        } catch (InterruptedIOException e) {
            return interrupted(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            Arrays.fill(sock, 0, count, null);
        }
    }

    /**
     * poll_oneoff's wait: until a subscription is ready. A socket subscription is ready from its socket's known
     * readiness; the Poll is asked (and every event recorded) when nothing is ready, and also when something is,
     * with a zero timeout, so that the call reports what else became ready since. Only a call that follows guest
     * socket calls ({@code mayAnswerFromKnown}: and re-armed nothing), and a call that asked the Poll, may answer
     * from known readiness alone: what it leaves out is reported by the next call at the latest.
     */
    private void waitForSubscriptions(int count, boolean edge, boolean anySocket, boolean anyStdin, boolean anyClock,
            long minDeadline, boolean mayAnswerFromKnown) throws IOException {
        boolean asked = false;
        for (;;) {
            boolean got = false;
            boolean timeRead = false;
            long t = 0;
            for (int k = 0; k < count; k++) {
                if (!subReady[k]) {
                    GuestSocket s = subSock[k];
                    if (s != null) {
                        boolean read = subTag[k] == EVENTTYPE_FD_READ;
                        if (edge ? (read ? s.pendingRead : s.pendingWrite) : (read ? s.readable() : s.writable())) {
                            subReady[k] = true;
                            subNbytes[k] = 1;
                        }
                    } else if (subStdin[k]) {
                        long avail = stdinAvailable();
                        if (avail != 0) {
                            subReady[k] = true;
                            subNbytes[k] = Math.max(avail, 0);
                            subError[k] = avail < 0 ? IO : 0;
                        }
                    } else if (subTag[k] == EVENTTYPE_CLOCK) {
                        if (!timeRead) {
                            t = System.nanoTime();
                            timeRead = true;
                        }
                        if (t - subDeadline[k] >= 0) {
                            subReady[k] = true;
                        }
                    }
                }
                got |= subReady[k];
            }
            if (got && (asked || !anySocket)) {
                return;
            }
            if (got && mayAnswerFromKnown && askedSinceShortcut) {
                askedSinceShortcut = false;
                if (TRACE) {
                    System.err.println("[mio-wasm]   answered from known readiness");
                }
                return;
            }
            long wait;
            if (got) {
                wait = 0;
            } else if (anyClock) {
                wait = Math.max(0, minDeadline - System.nanoTime());
            } else {
                wait = -1;
            }
            if (anyStdin && (wait < 0 || wait > 50_000_000L)) {
                wait = 50_000_000L;
            }
            if (!anySocket && wait > 0) {
                sleepNanos(wait);
            } else {
                do {
                    pollAndHarvest(wait);
                    wait = 0;
                } while (events.size() == events.capacity());
                asked = true;
            }
        }
    }

    /**
     * Sleeps {@code nanos} for a poll_oneoff clock, or until {@link #close()}: then it throws, and the guest traps
     * (a sleeping thread would not notice the close otherwise).
     */
    private void sleepNanos(long nanos) throws InterruptedIOException {
        long deadline = System.nanoTime() + nanos;
        synchronized (sleepers) {
            for (long left = nanos; left > 0 && !closed; left = deadline - System.nanoTime()) {
                try {
                    sleepers.wait(left / 1_000_000, (int) (left % 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted");
                }
            }
        }
        if (closed) {
            throw new UncheckedIOException(new IOException("closed"));
        }
    }

    private static final int KIND_OTHER = 0;
    private static final int KIND_STDIN = 1;

    /** What Chicory's table holds at {@code fd}: -1 nothing, {@link #KIND_STDIN}, or {@link #KIND_OTHER}. */
    private int chicoryKind(int fd) {
        int r = 0;
        try {
            r = wasi.fdFdstatGet(scratch, fd, 0);
        } catch (RuntimeException e) {
            return KIND_OTHER;
        }
        if (r != SUCCESS) {
            return -1;
        }
        int type = scratch.read(0) & 0xFF;
        long rights = scratch.readLong(8);
        boolean inStream = rights == (1L << 1) && type != 3 && type != 4;
        return inStream ? KIND_STDIN : KIND_OTHER;
    }

    /** Bytes available on Chicory's stdin (0 none, -1 error), asked through its own poll_oneoff. */
    private long stdinAvailable() {
        // sub 0: FD_READ fd 0 (userdata 1); sub 1: relative clock 0 (userdata 2); events at 128, count at 256
        scratch.write(0, new byte[512]);
        scratch.writeLong(0, 1);
        scratch.writeByte(8, (byte) EVENTTYPE_FD_READ);
        scratch.writeI32(16, 0);
        scratch.writeLong(48, 2);
        scratch.writeByte(56, (byte) EVENTTYPE_CLOCK);
        scratch.writeI32(64, CLOCK_MONOTONIC);
        int r = wasi.pollOneoff(scratch, 0, 128, 2, 256);
        if (r != SUCCESS) {
            return -1;
        }
        int nev = scratch.readInt(256);
        for (int k = 0; k < nev; k++) {
            int p = 128 + k * 32;
            if (scratch.readLong(p) == 1) {
                return (scratch.readShort(p + 8) & 0xFFFF) != 0 ? -1 : Math.max(1, scratch.readLong(p + 16));
            }
        }
        return 0;
    }
}
