package io.mio.wasm;

import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasi.WasiPreview1;
import io.mio.Interest;
import io.mio.net.Shutdown;
import io.mio.net.TcpSocket;
import io.mio.net.TcpStream;
import io.mio.net.UdpSocket;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;

import static io.mio.wasm.Addresses.*;
import static io.mio.wasm.GuestMemory.aligned;
import static io.mio.wasm.GuestMemory.check;
import static io.mio.wasm.WasiErrno.*;

/**
 * A socket's life: {@code sock_open}, {@code sock_bind}, {@code sock_listen}, {@code sock_accept},
 * {@code sock_connect}, {@code sock_shutdown}, {@code sock_getlocaladdr} / {@code sock_getpeeraddr}. A layer of
 * {@link SocketHost} (see {@link HostState}).
 */
abstract class SocketCalls extends SocketOptions {
    SocketCalls(WasiPreview1 wasi, NetPolicy policy) throws IOException {
        super(wasi, policy);
    }


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
    void autoBindUdp(GuestSocket s) throws IOException {
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

    static int interrupted(InterruptedIOException e) {
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
                // Linux: a connect after a failed one returns its error (CONNABORTED if the guest has read it) and
                // leaves the socket unconnected, so the one after starts a new attempt; in progress it is ALREADY.
                IOException err;
                try {
                    err = s.stream.takeError();
                } catch (IOException e) {
                    err = e;
                }
                if (err == null && !s.connectFailed) {
                    return ALREADY;
                }
                int r = err != null ? WasiErrno.of(err) : CONNABORTED;
                try {
                    unconnect(s);
                } catch (IOException e) {
                    return WasiErrno.of(e);
                }
                return r;
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
                unconnect(s);
                return WasiErrno.of(err);
            }
            return SUCCESS;
        } catch (InterruptedIOException e) {
            return interrupted(e);
        } catch (IOException e) {
            return WasiErrno.of(e);
        }
    }

    /**
     * After a failed connect: the socket may connect again, as after a failed connect(2), on a fresh OS socket
     * (unbound; options kept host-side are applied again at the next connect).
     */
    private static void unconnect(GuestSocket s) throws IOException {
        s.stream.close();
        s.stream = null;
        s.registered = false;
        s.bound = false;
        s.connecting = false;
        s.connectFailed = false;
        s.resetReadiness();
        s.tcp = s.family == GuestSocket.AF_INET6 ? TcpSocket.newV6() : TcpSocket.newV4();
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
}
