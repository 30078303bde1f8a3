package io.mio.net;

import io.mio.internal.Bridge;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Arrays;
import java.util.Objects;

/**
 * A mutable, reusable IPv4 or IPv6 socket address: the allocation-free way to learn a datagram's sender
 * ({@link UdpSocket#recvFrom(java.nio.ByteBuffer, SocketAddressHolder)}) and to name a destination again and
 * again ({@link UdpSocket#sendTo(java.nio.ByteBuffer, SocketAddressHolder)}).
 *
 * <p>Filling it ({@link #set}, or a receive call) and reading it ({@link #port()}, {@link #addressBytes},
 * {@link #ipv4()}) allocate nothing; {@link #toInetSocketAddress()} allocates a new {@link InetSocketAddress}.
 * A new holder is empty.
 *
 * <p>Not thread-safe: one holder belongs to one thread at a time (typically the thread that polls).
 */
public final class SocketAddressHolder {
    /** Values of {@link #family}: only compared here (the backends set them through {@link Bridge.HolderAccess}). */
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;

    static {
        Bridge.installHolderAccess(new Bridge.HolderAccess() {
            @Override
            public byte[] address(SocketAddressHolder holder) {
                return holder.address;
            }

            @Override
            public void set(SocketAddressHolder holder, boolean v6, int port, int scopeId) {
                holder.family = v6 ? AF_INET6 : AF_INET;
                holder.port = port;
                holder.scopeId = scopeId;
            }
        });
    }

    /** 0 while empty, else AF_INET or AF_INET6. */
    private int family;
    private final byte[] address = new byte[16];
    private int port;
    private int scopeId;

    /** An empty holder. */
    public SocketAddressHolder() {}

    /** A holder set to {@code address}; see {@link #set}. */
    public SocketAddressHolder(InetSocketAddress address) {
        set(address);
    }

    /**
     * Copies {@code address} into this holder (allocation-free for IPv4; IPv6 copies the JDK's address array
     * once).
     *
     * @return this holder
     * @throws java.nio.channels.UnresolvedAddressException if {@code address} is unresolved
     */
    public SocketAddressHolder set(InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        InetAddress ip = address.getAddress();
        port = address.getPort();
        if (ip instanceof Inet4Address) {
            family = AF_INET;
            byte[] raw = ip.getAddress();
            System.arraycopy(raw, 0, this.address, 0, 4);
            Arrays.fill(this.address, 4, 16, (byte) 0);
            scopeId = 0;
        } else {
            family = AF_INET6;
            System.arraycopy(ip.getAddress(), 0, this.address, 0, 16);
            scopeId = ((Inet6Address) ip).getScopeId();
        }
        return this;
    }

    /** Empties this holder. */
    public void clear() {
        family = 0;
        port = 0;
        scopeId = 0;
        Arrays.fill(address, (byte) 0);
    }

    /** Whether this holder holds no address (new, cleared, or filled from a non-IP sender). */
    public boolean isEmpty() {
        return family == 0;
    }

    /** Whether the address is IPv4. */
    public boolean isIpv4() {
        return family == AF_INET;
    }

    /** Whether the address is IPv6. */
    public boolean isIpv6() {
        return family == AF_INET6;
    }

    /** The port (0..65535); 0 while empty. */
    public int port() {
        return port;
    }

    /** Sets the port, keeping the address. */
    public SocketAddressHolder port(int port) {
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port out of range 0..65535: " + port);
        }
        this.port = port;
        return this;
    }

    /** The IPv6 scope id (0 for IPv4 or unscoped addresses). */
    public int scopeId() {
        return scopeId;
    }

    /** The number of address bytes: 4 (IPv4), 16 (IPv6), 0 while empty. */
    public int addressLength() {
        return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
    }

    /**
     * Copies the address bytes (network order; {@link #addressLength()} of them) into {@code dst} at
     * {@code offset}.
     *
     * @return the number of bytes copied
     * @throws IndexOutOfBoundsException if they do not fit
     */
    public int addressBytes(byte[] dst, int offset) {
        int n = addressLength();
        Objects.checkFromIndexSize(offset, n, dst.length);
        System.arraycopy(address, 0, dst, offset, n);
        return n;
    }

    /**
     * The IPv4 address as an int in network order (first byte in the high bits).
     *
     * @throws IllegalStateException if this holder does not hold an IPv4 address
     */
    public int ipv4() {
        if (family != AF_INET) {
            throw new IllegalStateException("not an IPv4 address: " + this);
        }
        return ((address[0] & 0xFF) << 24) | ((address[1] & 0xFF) << 16) | ((address[2] & 0xFF) << 8) | (address[3] & 0xFF);
    }

    /**
     * A new {@link InetSocketAddress} equal to this holder's address (allocates).
     *
     * @throws IllegalStateException if this holder is empty
     */
    public InetSocketAddress toInetSocketAddress() {
        try {
            if (family == AF_INET) {
                return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOf(address, 4)), port);
            }
            if (family == AF_INET6) {
                byte[] raw = address.clone();
                InetAddress ip = scopeId != 0 ? Inet6Address.getByAddress(null, raw, scopeId) : InetAddress.getByAddress(raw);
                return new InetSocketAddress(ip, port);
            }
        } catch (UnknownHostException e) {
            throw new AssertionError("raw address of valid length rejected", e);
        }
        throw new IllegalStateException("the SocketAddressHolder is empty");
    }

    /** Whether this holds the same address and port as {@code other}. */
    public boolean sameAs(InetSocketAddress other) {
        if (other == null || other.isUnresolved() || other.getPort() != port) {
            return false;
        }
        byte[] raw = other.getAddress().getAddress();
        return raw.length == addressLength() && Arrays.equals(raw, 0, raw.length, address, 0, raw.length);
    }

    @Override
    public String toString() {
        return family == 0 ? "SocketAddressHolder[empty]" : toInetSocketAddress().toString();
    }
}
