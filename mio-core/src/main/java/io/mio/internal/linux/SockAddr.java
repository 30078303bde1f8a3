package io.mio.internal.linux;

import io.mio.internal.Bridge;
import io.mio.net.SocketAddressHolder;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.channels.UnresolvedAddressException;
import java.util.Objects;

import static io.mio.internal.linux.LinuxConstants.AF_INET;
import static io.mio.internal.linux.LinuxConstants.AF_INET6;

/** Encodes and decodes {@code sockaddr_in} / {@code sockaddr_in6}, also from and into a {@link SocketAddressHolder}. */
public final class SockAddr {
    private SockAddr() {}

    /** Size of struct sockaddr_storage. */
    public static final int STORAGE_SIZE = 128;
    private static final ValueLayout.OfShort U16_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfInt U32_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** The address family a socket for {@code address} needs. */
    public static int family(InetSocketAddress address) {
        checkResolved(address);
        return address.getAddress() instanceof Inet6Address ? AF_INET6 : AF_INET;
    }

    private static void checkResolved(InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
    }

    /** Writes {@code address} at the start of {@code out}; returns the struct's length. */
    public static int encode(InetSocketAddress address, MemorySegment out) {
        checkResolved(address);
        InetAddress ip = address.getAddress();
        byte[] raw = ip.getAddress();
        if (ip instanceof Inet4Address) {
            out.asSlice(0, 16).fill((byte) 0);
            out.set(U16, 0, (short) AF_INET);
            out.set(U16_BE, 2, (short) address.getPort());
            MemorySegment.copy(raw, 0, out, ValueLayout.JAVA_BYTE, 4, 4);
            return 16;
        }
        out.asSlice(0, 28).fill((byte) 0);
        out.set(U16, 0, (short) AF_INET6);
        out.set(U16_BE, 2, (short) address.getPort());
        MemorySegment.copy(raw, 0, out, ValueLayout.JAVA_BYTE, 8, 16);
        out.set(U32, 24, ((Inet6Address) ip).getScopeId());
        return 28;
    }

    /** Reads a sockaddr_in or sockaddr_in6 of {@code len} bytes; null for another family. */
    public static InetSocketAddress decode(MemorySegment in, int len) {
        if (len < 2) {
            return null;
        }
        int family = in.get(U16, 0);
        int port = Short.toUnsignedInt(in.get(U16_BE, 2));
        try {
            if (family == AF_INET && len >= 16) {
                byte[] raw = new byte[4];
                MemorySegment.copy(in, ValueLayout.JAVA_BYTE, 4, raw, 0, 4);
                return new InetSocketAddress(InetAddress.getByAddress(raw), port);
            }
            if (family == AF_INET6 && len >= 28) {
                byte[] raw = new byte[16];
                MemorySegment.copy(in, ValueLayout.JAVA_BYTE, 8, raw, 0, 16);
                int scope = in.get(U32, 24);
                InetAddress ip = scope != 0 ? Inet6Address.getByAddress(null, raw, scope) : InetAddress.getByAddress(raw);
                return new InetSocketAddress(ip, port);
            }
        } catch (UnknownHostException e) {
            throw new AssertionError("raw address of valid length rejected", e);
        }
        return null;
    }

    /** Reads a sockaddr of {@code len} bytes into {@code holder}; a non-IP one empties it. Allocation-free. */
    static void load(SocketAddressHolder holder, MemorySegment in, int len) {
        int f = len >= 2 ? in.get(U16, 0) : 0;
        if (f == AF_INET && len >= 16) {
            byte[] address = Bridge.holders().address(holder);
            int ip = in.get(U32_BE, 4);
            address[0] = (byte) (ip >>> 24);
            address[1] = (byte) (ip >>> 16);
            address[2] = (byte) (ip >>> 8);
            address[3] = (byte) ip;
            Bridge.holders().set(holder, false, Short.toUnsignedInt(in.get(U16_BE, 2)), 0);
        } else if (f == AF_INET6 && len >= 28) {
            MemorySegment.copy(in, ValueLayout.JAVA_BYTE, 8, Bridge.holders().address(holder), 0, 16);
            Bridge.holders().set(holder, true, Short.toUnsignedInt(in.get(U16_BE, 2)), in.get(U32, 24));
        } else {
            holder.clear();
        }
    }

    /** Writes {@code holder}'s address as a sockaddr at the start of {@code out}; returns its length. */
    static int store(SocketAddressHolder holder, MemorySegment out) {
        if (holder.isIpv4()) {
            out.set(U16, 0, (short) AF_INET);
            out.set(U16_BE, 2, (short) holder.port());
            MemorySegment.copy(Bridge.holders().address(holder), 0, out, ValueLayout.JAVA_BYTE, 4, 4);
            out.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, 0L);
            return 16;
        }
        if (holder.isIpv6()) {
            out.set(U16, 0, (short) AF_INET6);
            out.set(U16_BE, 2, (short) holder.port());
            out.set(U32, 4, 0); // flowinfo
            MemorySegment.copy(Bridge.holders().address(holder), 0, out, ValueLayout.JAVA_BYTE, 8, 16);
            out.set(U32, 24, holder.scopeId());
            return 28;
        }
        throw new IllegalStateException("the SocketAddressHolder is empty");
    }
}
