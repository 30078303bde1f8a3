package io.mio.wasm;

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
import com.dylibso.chicory.wasm.types.ValType;
import io.mio.Poll;
import io.mio.Token;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
 * <p>The host is built in layers, one concern per file, each extending the one below (see {@link HostState}):
 * the descriptor table ({@link SocketTable}), waiting and readiness ({@link Readiness}), socket options
 * ({@link SocketOptions}), a socket's life ({@link SocketCalls}: open, bind, listen, accept, connect, shutdown,
 * get*addr), stream I/O ({@link StreamIo}), datagram I/O ({@link DatagramIo}), {@link AddrInfo} and
 * {@link PollOneoff}; this class adds linking, the preview 1 calls on sockets and {@link #close()}.
 *
 * <p>Every method named after a host function ({@link #sockOpen}, ...) can be called directly from Java with a
 * {@link Memory}: that is how the host-function tests drive it. Not thread-safe: a guest is single-threaded; only
 * {@link #close()} may be called from another thread (it wakes a blocked guest, whose next call then traps).
 * Blocking calls (a blocking socket's accept/recv/send/connect, poll_oneoff, epoll_oneoff) wait until ready, their
 * timeout, {@link #close()}, or an interrupt of the calling thread (then the call traps); a signal that cuts the
 * wait short (EINTR) does not end it.
 */
public final class SocketHost extends PollOneoff implements AutoCloseable {
    /**
     * @param wasi   the guest's WASI preview 1 host (files, stdio, clocks, ...); calls on non-socket fds go there
     * @param policy the network sandbox
     */
    public SocketHost(WasiPreview1 wasi, NetPolicy policy) throws IOException {
        super(wasi, policy);
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
     * How many clock subscriptions the guest's poll_oneoff and epoll_oneoff calls have carried so far: a diagnostic
     * (a host may pay for each with a timer: WasmEdge arms and disarms a timerfd). Safe to read from any thread (the
     * guest's thread is the only writer); never blocks.
     */
    public long clockSubscriptions() {
        return clockSubscriptions;
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
            int r = guard(impl, m, args);
            if (TRACE) {
                System.err.println("[mio-wasm] " + name + Arrays.toString(Arrays.stream(args).map(v -> (int) v).toArray())
                        + " = " + r);
            }
            return new long[] {r};
        });
    }

    /** {@link #guard(IntCall)} for a host function, without a capturing lambda (it would allocate per call). */
    private int guard(Impl impl, Memory m, long[] args) {
        int r = 0;
        try {
            r = impl.call(m, args);
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
        // fd_read / fd_write on sockets are hot (wasi-libc's read and write): no capturing lambda per call
        Impl readImpl = (m, a) -> fdRead(m, i(a[0]), i(a[1]), i(a[2]), i(a[3]));
        Impl writeImpl = (m, a) -> sockSend(m, i(a[0]), i(a[1]), i(a[2]), 0, i(a[3]));
        wrap(chicory, "fd_read", (orig, inst, a) -> lookup(i(a[0])) != null
                ? ret(guard(readImpl, inst.memory(), a)) : orig.apply(inst, a));
        wrap(chicory, "fd_write", (orig, inst, a) -> lookup(i(a[0])) != null
                ? ret(guard(writeImpl, inst.memory(), a)) : orig.apply(inst, a));
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
        // The other preview 1 calls taking descriptors mean nothing on a socket: BADF, as Chicory answers for a number
        // it does not hold (a socket renumbered onto one of Chicory's numbers must not reach the descriptor Chicory
        // keeps there). The index of each descriptor argument:
        for (String name : List.of("fd_advise", "fd_allocate", "fd_datasync", "fd_fdstat_set_rights",
                "fd_filestat_get", "fd_filestat_set_size", "fd_filestat_set_times", "fd_pread", "fd_prestat_get",
                "fd_prestat_dir_name", "fd_pwrite", "fd_readdir", "fd_seek", "fd_sync", "fd_tell",
                "path_create_directory", "path_filestat_get", "path_filestat_set_times", "path_link", "path_open",
                "path_readlink", "path_remove_directory", "path_rename", "path_symlink", "path_unlink_file")) {
            int at = name.equals("path_symlink") ? 2 : 0;
            int second = name.equals("path_link") || name.equals("path_rename") ? 3 : -1;
            wrap(chicory, name, (orig, inst, a) -> lookup(i(a[at])) != null
                    || (second >= 0 && lookup(i(a[second])) != null) ? ret(BADF) : orig.apply(inst, a));
        }
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
        releaseNumber(fd);
        return SUCCESS;
    }

    /**
     * {@code fd_renumber} where {@code from} or {@code to} is a socket, with WasmEdge's semantics (one table: BADF
     * unless both exist, {@code from == to} succeeds, the descriptor at {@code to} is closed and {@code from}'s takes
     * its number). A socket moves onto a socket, or onto one of Chicory's numbers: Chicory's descriptor there stays
     * allocated in Chicory's table, unreachable by the guest (its calls on that number reach the socket; the other
     * preview 1 calls answer BADF, as for any socket), until the socket leaves the number, so that Chicory never
     * hands it out twice. One of Chicory's descriptors moving onto a socket's number is NOTSUP (WasmEdge 0.17.1,
     * with one table, succeeds): Chicory 1.7.5's table is private, its {@code fdRenumber} answers BADF for a
     * {@code to} it does not hold, and nothing public puts a descriptor at a number it did not hand out.
     */
    public int fdRenumber(int from, int to) {
        GuestSocket s = sockets.get(from);
        if (s == null) {
            return sockets.containsKey(to) && wasiHas(from) ? NOTSUP : BADF;
        }
        if (from == to) {
            return SUCCESS;
        }
        GuestSocket old = sockets.get(to);
        if (old == null && !wasiHas(to)) {
            return BADF;
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
        if (old != null) {
            removeSocket(to);
            old.close();
        }
        removeSocket(from);
        releaseNumber(from);
        s.fd = to; // the same socket, its state and readiness kept, under the new number
        putSocket(s);
        return SUCCESS;
    }
}
