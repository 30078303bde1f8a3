package io.mio.wasm;

import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasi.WasiPreview1;
import io.mio.net.TcpSocket;
import io.mio.net.TcpStream;
import io.mio.net.UdpSocket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import static io.mio.wasm.GuestMemory.aligned;
import static io.mio.wasm.GuestMemory.check;
import static io.mio.wasm.WasiErrno.*;

/**
 * {@code sock_setsockopt} and {@code sock_getsockopt}: WasmEdge's SOL_SOCKET table, through io.mio's setters and
 * getters, host-side values, and {@link RawSocketOptions} for what io.mio has no setter for. A layer of
 * {@link SocketHost} (see {@link HostState}).
 */
abstract class SocketOptions extends Readiness {
    SocketOptions(WasiPreview1 wasi, NetPolicy policy) throws IOException {
        super(wasi, policy);
    }

    /** The OS descriptor behind guest socket {@code fd} as io.mio shows it ({@code rawFd()}), or -1; for tests. */
    int osFd(int fd) throws IOException {
        GuestSocket s = lookup(fd);
        return s == null ? -1 : rawFd(s);
    }

    static byte[] intBytes(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static int intOf(byte[] v) {
        return v.length < 4 ? 0 : ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    }

    /** wasi-libc's {@code struct linger { int l_onoff; int l_linger; }}. */
    static byte[] lingerBytes(Duration linger) {
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
                s.connectFailed |= e != null && s.connecting; // the error is read: a connect again is CONNABORTED
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
     * no setter for, are set with setsockopt on the descriptor io.mio exposes (see {@code setRawOption}).
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
    static int applyKeptRawOptions(GuestSocket s) {
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
    static boolean routeLeavesThrough(InetSocketAddress target, String device) {
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
}
