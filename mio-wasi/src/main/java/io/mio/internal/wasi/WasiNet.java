package io.mio.internal.wasi;

import org.teavm.interop.Address;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;

/**
 * The socket calls of the WASI backend on raw guest descriptors: one import each, with guest-memory
 * marshalling through one scratch area. A wasm32-wasi guest has one thread, so the scratch is shared and
 * nothing here is synchronised. Would-block is a return value ({@link #AGAIN}), every other failure an
 * exception named after the WASI errno.
 */
final class WasiNet {
    private WasiNet() {}

    /** Returned by the byte-moving calls when the socket would block. */
    static final int AGAIN = -2;

    // Scratch layout (offsets from an 8-byte aligned base): iovec @0, u32 out @8, u16 roflags @12, u32 port @16,
    // u32 option length @20, option value @24 (16 bytes), address struct @40, address bytes @48 (128).
    private static final int IOV = 0;
    private static final int OUT = 8;
    private static final int ROFLAGS = 12;
    private static final int PORT = 16;
    private static final int OPTLEN = 20;
    private static final int OPTVAL = 24;
    private static final int ADDR = 40;
    private static final int ADDR_BYTES = 48;
    private static final long[] SCRATCH = new long[(ADDR_BYTES + Wasi.ADDR_STORAGE_SIZE) / 8 + 1];

    /** A copy buffer for read-only sources (TeaVM gives them no array to point the kernel at). */
    private static byte[] bounce = new byte[0];

    private static int scratch() {
        return Wasi.aligned8(SCRATCH);
    }

    /** A non-blocking socket of {@code type} for {@code address}'s family. */
    static int open(InetSocketAddress address, int type, String what) throws IOException {
        return open(isV6(address) ? Wasi.AF_INET6 : Wasi.AF_INET4, type, what);
    }

    static int open(int family, int type, String what) throws IOException {
        int s = scratch();
        int errno = Wasi.sockOpen(family, type, s + OUT);
        if (errno != 0) {
            throw WasiErrors.exception(what + " sock_open", errno);
        }
        int fd = Address.fromInt(s + OUT).getInt();
        errno = Wasi.fdFdstatSetFlags(fd, Wasi.FDFLAGS_NONBLOCK);
        if (errno != 0) {
            Wasi.fdClose(fd);
            throw WasiErrors.exception(what + " fd_fdstat_set_flags(NONBLOCK)", errno);
        }
        return fd;
    }

    static void close(int fd) {
        Wasi.fdClose(fd); // like close(2): the descriptor is gone whatever the result
    }

    static void bind(int fd, InetSocketAddress address, String what) throws IOException {
        byte[] raw = resolved(address).getAddress();
        int s = scratch();
        int addr = putAddress(s, raw, raw.length);
        int errno = Wasi.sockBind(fd, addr, address.getPort());
        if (errno != 0) {
            throw WasiErrors.exception(what + " bind " + address, errno);
        }
    }

    static void listen(int fd, int backlog, String what) throws IOException {
        int errno = Wasi.sockListen(fd, backlog);
        if (errno != 0) {
            throw WasiErrors.exception(what + " listen", errno);
        }
    }

    /** A new non-blocking connection, or -1 if none is pending. */
    static int accept(int fd) throws IOException {
        int s = scratch();
        int errno = Wasi.sockAccept(fd, Wasi.FDFLAGS_NONBLOCK, s + OUT);
        if (errno == Wasi.AGAIN) {
            return -1;
        }
        if (errno != 0) {
            throw WasiErrors.exception("TcpListener accept", errno);
        }
        int accepted = Address.fromInt(s + OUT).getInt();
        // WasmEdge 0.17.1 applies the NONBLOCK of sock_accept to the listener, not to the new socket, which
        // stays blocking there: set it on the new socket too (one more call, a no-op on mio-wasm).
        errno = Wasi.fdFdstatSetFlags(accepted, Wasi.FDFLAGS_NONBLOCK);
        if (errno != 0) {
            Wasi.fdClose(accepted);
            throw WasiErrors.exception("TcpListener accept fd_fdstat_set_flags(NONBLOCK)", errno);
        }
        return accepted;
    }

    /** Starts a connect: true if it completed at once, false if it is in progress (wait for writable). */
    static boolean connect(int fd, InetSocketAddress address, String what) throws IOException {
        byte[] raw = resolved(address).getAddress();
        int s = scratch();
        int addr = putAddress(s, raw, raw.length);
        int errno = Wasi.sockConnect(fd, addr, address.getPort());
        if (errno == 0) {
            return true;
        }
        if (errno == Wasi.INPROGRESS || errno == Wasi.AGAIN) {
            return false;
        }
        throw WasiErrors.exception(what + " connect " + address, errno);
    }

    /** Bytes read into {@code dst}'s remaining space, 0 if it has none, -1 at end of stream, or {@link #AGAIN}. */
    static int recv(int fd, ByteBuffer dst, int riflags, String what) throws IOException {
        int room = dst.remaining();
        if (room == 0) {
            return 0;
        }
        if (dst.isReadOnly()) {
            throw new java.nio.ReadOnlyBufferException();
        }
        int pos = dst.position();
        int n = recv(fd, dst.array(), dst.arrayOffset() + pos, room, riflags, what);
        if (n > 0 && (riflags & Wasi.RIFLAGS_PEEK) == 0) {
            dst.position(pos + n);
        }
        return n;
    }

    /** Bytes written from {@code src}'s remaining content, or {@link #AGAIN}. */
    static int send(int fd, ByteBuffer src, String what) throws IOException {
        int len = src.remaining();
        if (len == 0) {
            return 0;
        }
        int pos = src.position();
        int n = sendAt(fd, dataAddress(src, pos, len), len, what);
        if (n > 0) {
            src.position(pos + n);
        }
        return n;
    }

    /**
     * Receives one datagram into {@code dst}, the sender's address into {@code from} (port, family, IP): the
     * datagram's length (0 is a datagram), or {@link #AGAIN}. A datagram longer than the room is cut short,
     * as {@code recvfrom(2)} cuts it.
     */
    static int recvFrom(int fd, ByteBuffer dst, Sender from, String what) throws IOException {
        if (dst.isReadOnly()) {
            throw new java.nio.ReadOnlyBufferException();
        }
        boolean swapped = portSwapped(); // first: the probe uses the scratch and may allocate
        int room = dst.remaining();
        byte[] array = dst.array();
        int pos = dst.position();
        int s = scratch();
        putIovec(s, Wasi.addressOf(array, dst.arrayOffset() + pos), room);
        Address a = Address.fromInt(s + ADDR);
        a.putInt(s + ADDR_BYTES);
        a.add(4).putInt(Wasi.ADDR_STORAGE_SIZE);
        Address.fromInt(s + PORT).putInt(0);
        int errno = Wasi.sockRecvFrom(fd, s + IOV, 1, s + ADDR, 0, s + PORT, s + OUT, s + ROFLAGS);
        if (errno == Wasi.AGAIN) {
            return AGAIN;
        }
        if (errno != 0) {
            throw WasiErrors.datagramException(what + " recv_from", errno);
        }
        int n = Address.fromInt(s + OUT).getInt();
        dst.position(pos + n);
        int port = Address.fromInt(s + PORT).getInt() & 0xFFFF;
        from.port = swapped ? Integer.reverseBytes(port) >>> 16 : port;
        Address storage = Address.fromInt(s + ADDR_BYTES);
        int family = storage.getShort() & 0xFFFF;
        from.v6 = family == Wasi.AF_INET6;
        int len = from.v6 ? 16 : 4;
        for (int i = 0; i < len; i++) {
            from.ip[i] = storage.add(2 + i).getByte();
        }
        return n;
    }

    /** 0: not probed yet, 1: the host writes recv_from's port in host order, 2: byte-swapped. */
    private static int recvFromPortOrder;

    /**
     * Whether this host writes {@code sock_recv_from}'s port byte-swapped. WasmEdge 0.17.1 writes the raw
     * network-order {@code sin_port} (its issue #2491; a reply then goes to the wrong port); mio-wasm writes
     * host order, as guests expect. Found once per guest, at the first receive, by a datagram to a socket of
     * its own on 127.0.0.1: the port it reports for itself is compared with the one getlocaladdr gives (host
     * order everywhere). Where the probe cannot run (a sandbox that refuses it) the host is taken to be right.
     */
    private static boolean portSwapped() {
        if (recvFromPortOrder == 0) {
            recvFromPortOrder = 1;
            try {
                recvFromPortOrder = probePortOrder();
            } catch (IOException | RuntimeException e) {
                // refused or failed: keep host order
            }
        }
        return recvFromPortOrder == 2;
    }

    private static int probePortOrder() throws IOException {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        for (int attempt = 0; attempt < 4; attempt++) {
            int fd = open(Wasi.AF_INET4, Wasi.SOCK_DGRAM, "probe");
            try {
                bind(fd, loopback, "probe");
                int port = localAddr(fd, "probe").getPort();
                if ((port >>> 8) == (port & 0xFF)) {
                    continue; // the same both ways round: try another port
                }
                ByteBuffer one = ByteBuffer.allocate(1);
                byte[] ip = {127, 0, 0, 1};
                if (sendTo(fd, one, ip, 4, port, "probe") != 1) {
                    return 1;
                }
                // recvFrom asks portSwapped(), which answers "host order" while the probe runs: the port as written.
                Sender self = new Sender();
                if (recvFrom(fd, ByteBuffer.allocate(1), self, "probe") != 1) {
                    return 1;
                }
                int reported = self.port;
                return reported == port ? 1 : reported == (Integer.reverseBytes(port) >>> 16) ? 2 : 1;
            } finally {
                close(fd);
            }
        }
        return 1;
    }

    /** Sends {@code src}'s remaining content as one datagram to {@code to}: bytes sent, or {@link #AGAIN}. */
    static int sendTo(int fd, ByteBuffer src, InetSocketAddress to, String what) throws IOException {
        byte[] raw = resolved(to).getAddress();
        return sendTo(fd, src, raw, raw.length, to.getPort(), what);
    }

    /**
     * Sends {@code src}'s remaining content as one datagram to {@code ip[0, ipLength)} (4 or 16 bytes) and
     * {@code port}: bytes sent, or {@link #AGAIN}. Allocates nothing unless {@code src} is read-only.
     */
    static int sendTo(int fd, ByteBuffer src, byte[] ip, int ipLength, int port, String what) throws IOException {
        int len = src.remaining();
        int pos = src.position();
        int data = dataAddress(src, pos, len); // may allocate a copy: before the scratch's address is taken
        int s = scratch();
        int addr = putAddress(s, ip, ipLength);
        putIovec(s, data, len);
        int errno = Wasi.sockSendTo(fd, s + IOV, 1, addr, port, 0, s + OUT);
        if (errno == Wasi.AGAIN) {
            return AGAIN;
        }
        if (errno != 0) {
            throw WasiErrors.datagramException(what + " send_to", errno);
        }
        int n = Address.fromInt(s + OUT).getInt();
        src.position(pos + n);
        return n;
    }

    /** Sends {@code len} bytes of {@code src} from {@code off} on a connected socket: bytes sent, or {@link #AGAIN}. */
    static int send(int fd, byte[] src, int off, int len, String what) throws IOException {
        return len == 0 ? 0 : sendAt(fd, Wasi.addressOf(src, off), len, what);
    }

    /**
     * One {@code sock_send} of {@code len} bytes at guest address {@code data}, taken by the caller with nothing
     * allocated since (the scratch's address is taken here, and taking it allocates nothing).
     */
    private static int sendAt(int fd, int data, int len, String what) throws IOException {
        int s = scratch();
        putIovec(s, data, len);
        int errno = Wasi.sockSend(fd, s + IOV, 1, 0, s + OUT);
        if (errno == Wasi.AGAIN) {
            return AGAIN;
        }
        if (errno != 0) {
            throw WasiErrors.exception(what + " send", errno);
        }
        return Address.fromInt(s + OUT).getInt();
    }

    /** Reads into {@code dst[off, off + len)}: bytes read, 0 if {@code len} is 0, -1 at end, or {@link #AGAIN}. */
    static int recv(int fd, byte[] dst, int off, int len, int riflags, String what) throws IOException {
        if (len == 0) {
            return 0;
        }
        int s = scratch();
        putIovec(s, Wasi.addressOf(dst, off), len);
        int errno = Wasi.sockRecv(fd, s + IOV, 1, riflags, s + OUT, s + ROFLAGS);
        if (errno == Wasi.AGAIN) {
            return AGAIN;
        }
        if (errno != 0) {
            throw WasiErrors.exception(what + " recv", errno);
        }
        int n = Address.fromInt(s + OUT).getInt();
        return n == 0 ? -1 : n;
    }

    static void shutdown(int fd, int how, String what) throws IOException {
        int errno = Wasi.sockShutdown(fd, how);
        if (errno != 0) {
            throw WasiErrors.exception(what + " shutdown", errno);
        }
    }

    /** The local address, or null where the host has none to give (an unbound socket). */
    static InetSocketAddress localAddr(int fd, String what) throws IOException {
        return sockAddr(fd, false, what);
    }

    /** The peer's address; NOTCONN becomes {@link java.net.SocketException} "not connected". */
    static InetSocketAddress peerAddr(int fd, String what) throws IOException {
        return sockAddr(fd, true, what);
    }

    private static InetSocketAddress sockAddr(int fd, boolean peer, String what) throws IOException {
        int s = scratch();
        Address a = Address.fromInt(s + ADDR);
        a.putInt(s + ADDR_BYTES);
        a.add(4).putInt(Wasi.ADDR_STORAGE_SIZE);
        int errno = peer ? Wasi.sockGetpeeraddr(fd, s + ADDR, s + PORT) : Wasi.sockGetlocaladdr(fd, s + ADDR, s + PORT);
        if (errno != 0) {
            throw WasiErrors.exception(what + (peer ? " getpeeraddr" : " getlocaladdr"), errno);
        }
        Address storage = Address.fromInt(s + ADDR_BYTES);
        int family = storage.getShort() & 0xFFFF;
        int port = Address.fromInt(s + PORT).getInt() & 0xFFFF;
        byte[] ip = new byte[family == Wasi.AF_INET6 ? 16 : 4];
        storage = Address.fromInt(scratch() + ADDR_BYTES); // the allocation above may have moved the scratch
        for (int i = 0; i < ip.length; i++) {
            ip[i] = storage.add(2 + i).getByte();
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException e) {
            throw new SocketException(what + ": host returned a malformed address");
        }
    }

    static int getIntOption(int fd, int name, String what) throws IOException {
        int s = scratch();
        Address.fromInt(s + OPTVAL).putInt(0);
        Address.fromInt(s + OPTLEN).putInt(4);
        int errno = Wasi.sockGetsockopt(fd, Wasi.SOL_SOCKET, name, s + OPTVAL, s + OPTLEN);
        if (errno != 0) {
            throw WasiErrors.exception(what + " getsockopt(" + name + ")", errno);
        }
        return Address.fromInt(s + OPTVAL).getInt();
    }

    static void setIntOption(int fd, int name, int value, String what) throws IOException {
        int s = scratch();
        Address.fromInt(s + OPTVAL).putInt(value);
        int errno = Wasi.sockSetsockopt(fd, Wasi.SOL_SOCKET, name, s + OPTVAL, 4);
        if (errno != 0) {
            throw WasiErrors.exception(what + " setsockopt(" + name + ")", errno);
        }
    }

    /** The pending error as a WASI errno (SO_ERROR, which WasmEdge translates), 0 if none; clears it. */
    static int takeError(int fd, String what) throws IOException {
        return getIntOption(fd, Wasi.SO_ERROR, what);
    }

    /** The exception for a pending error found by {@link #takeError}. */
    static IOException pendingError(String what, int errno) {
        return WasiErrors.exception(what, errno);
    }

    static boolean isV6(InetSocketAddress address) {
        InetAddress ip = resolved(address);
        return !(ip instanceof Inet4Address);
    }

    private static InetAddress resolved(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new UnresolvedAddressException();
        }
        return ip;
    }

    /** A V1 address (raw 4 or 16 IP bytes) in the scratch; returns the address struct's pointer. */
    private static int putAddress(int s, byte[] raw, int length) {
        Address bytes = Address.fromInt(s + ADDR_BYTES);
        for (int i = 0; i < length; i++) {
            bytes.add(i).putByte(raw[i]);
        }
        Address a = Address.fromInt(s + ADDR);
        a.putInt(s + ADDR_BYTES);
        a.add(4).putInt(length);
        return s + ADDR;
    }

    private static void putIovec(int s, int buf, int len) {
        Address iov = Address.fromInt(s + IOV);
        iov.putInt(buf);
        iov.add(4).putInt(len);
    }

    /**
     * Where the kernel may read {@code src[pos, pos + len)}: the buffer's array in place, or a copy for a
     * read-only buffer. Taken last before the call: nothing may allocate between this and the import.
     */
    private static int dataAddress(ByteBuffer src, int pos, int len) {
        if (src.hasArray()) {
            return Wasi.addressOf(src.array(), src.arrayOffset() + pos);
        }
        if (bounce.length < len) {
            bounce = new byte[Math.max(len, 2 * bounce.length)];
        }
        src.get(pos, bounce, 0, len);
        return Wasi.addressOf(bounce, 0);
    }

    /** The sender of a received datagram, reused across calls. */
    static final class Sender {
        final byte[] ip = new byte[16];
        boolean v6;
        int port;
    }
}
