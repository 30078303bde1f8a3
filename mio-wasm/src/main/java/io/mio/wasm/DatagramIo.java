package io.mio.wasm;

import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasi.WasiPreview1;
import io.mio.Interest;
import io.mio.net.SocketAddressHolder;
import io.mio.net.UdpSocket;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import static io.mio.wasm.Addresses.*;
import static io.mio.wasm.GuestMemory.aligned;
import static io.mio.wasm.GuestMemory.check;
import static io.mio.wasm.WasiErrno.*;

/**
 * UDP: datagrams received whole and sent as one, {@code sock_recv_from} and {@code sock_send_to} (V1 and V2). A layer
 * of {@link SocketHost} (see {@link HostState}).
 */
abstract class DatagramIo extends StreamIo {
    /**
     * {@code -Dio.mio.wasm.recvFromPortNetworkOrder=true}: sock_recv_from V2 writes the sender's port in network
     * byte order, as WasmEdge does (its issue 2491), instead of the host order guests expect.
     */
    static final boolean PORT_NETWORK_ORDER = Boolean.getBoolean("io.mio.wasm.recvFromPortNetworkOrder");

    /** No datagram is larger (a UDP length is 16 bits, header included). */
    static final int MAX_DATAGRAM = 65535;

    private final SocketAddressHolder sender = new SocketAddressHolder();
    private final byte[] senderIp = new byte[16];

    DatagramIo(WasiPreview1 wasi, NetPolicy policy) throws IOException {
        super(wasi, policy);
    }

    /**
     * Receives one datagram of a UDP guest socket into {@code dst}, or (null) {@link #buffer} (64 KiB: any datagram
     * fits whole), waiting if the socket is blocking; the sender goes into {@code from} unless it is null.
     *
     * @return the datagram's size, or minus a WASI errno
     */
    private int receiveDatagram(GuestSocket s, boolean peek, SocketAddressHolder from, ByteBuffer dst)
            throws IOException {
        if (from != null) {
            from.clear();
        }
        // known empty since the last look, and no poll since: no need to ask again
        boolean shortcut = againFromKnown(s, true);
        for (;;) {
            int n = UdpSocket.WOULD_BLOCK;
            if (s.udp != null && !shortcut) {
                if (dst != null) {
                    n = from == null ? (peek ? s.udp.peek(dst) : s.udp.recv(dst))
                            : peek ? s.udp.peekFrom(dst, from) : s.udp.recvFrom(dst, from);
                } else {
                    n = from == null ? (peek ? s.udp.peek(buffer, 0, buffer.length) : s.udp.recv(buffer, 0, buffer.length))
                            : peek ? s.udp.peekFrom(buffer, 0, buffer.length, from)
                            : s.udp.recvFrom(buffer, 0, buffer.length, from);
                }
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
    @Override
    int recvDatagram(Memory m, GuestSocket s, Iovecs iovs, int riflags, int nreadPtr, int roflagsPtr,
            SocketAddressHolder from) {
        long want = iovs.total();
        // Straight into guest memory when no datagram can be cut short there (io.mio reports the bytes stored, not
        // the datagram's size, so a smaller buffer goes through ours to tell TRUNCATED).
        ByteBuffer dst = m instanceof SegmentMemory sm && iovs.count() == 1 && iovs.firstLen() >= MAX_DATAGRAM
                ? sm.view(0, iovs.firstBuf(), MAX_DATAGRAM) : null;
        int n;
        try {
            n = receiveDatagram(s, (riflags & RIFLAGS_PEEK) != 0, from, dst);
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
        if (dst == null) {
            iovs.scatter(m, 0, buffer, k);
        }
        m.writeI32(nreadPtr, k);
        if (roflagsPtr != -1) {
            m.writeShort(roflagsPtr, (short) (n > want ? ROFLAGS_TRUNCATED : 0));
        }
        return SUCCESS;
    }

    /** Sends the iovecs as one datagram, to {@code to} or (null) the connected peer. */
    @Override
    int sendDatagram(Memory m, GuestSocket s, Iovecs iovs, InetSocketAddress to, int nwrittenPtr) {
        long want = iovs.total();
        if (want > buffer.length) {
            return MSGSIZE;
        }
        if (againFromKnown(s, false)) {
            return AGAIN; // known full since the last look, and no poll since: no need to ask again
        }
        // one iovec leaves from guest memory; several are gathered (a datagram is one send)
        SegmentMemory direct = m instanceof SegmentMemory sm && iovs.count() == 1 ? sm : null;
        int len = direct != null ? (int) want : iovs.gather(m, 0, buffer, (int) want);
        try {
            for (;;) {
                int n;
                if (direct != null) {
                    ByteBuffer src = direct.view(0, iovs.firstBuf(), len);
                    n = to == null ? s.udp.send(src) : s.udp.sendTo(src, to);
                } else {
                    n = to == null ? s.udp.send(buffer, 0, len) : s.udp.sendTo(buffer, 0, len, to);
                }
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
        try { // no lambda: a capturing one allocates where the JIT does not inline the call
            return sockRecvFrom0(m, fd, iovPtr, iovCount, addrPtr, riflags, portPtr, nreadPtr, roflagsPtr, v2);
        } catch (ErrnoException e) {
            return e.errno;
        }
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
        Iovecs iovs = this.iovs.read(m, iovPtr, iovCount);
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
        try { // no lambda: a capturing one allocates where the JIT does not inline the call
            return sockSendTo0(m, fd, iovPtr, iovCount, addrPtr, port, siflags, nwrittenPtr, v2);
        } catch (ErrnoException e) {
            return e.errno;
        }
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
        Iovecs iovs = this.iovs.read(m, iovPtr, iovCount);
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
}
