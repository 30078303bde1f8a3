package org.teavm.classlib.java.net;

import java.io.Serializable;
import java.util.Arrays;

/**
 * {@code java.net.InetAddress} for the wasm build: an IPv4 or IPv6 address with an optional host name.
 * {@link #getByName} accepts literals and {@code localhost} only (a guest has no resolver of its own);
 * immutable and thread-safe, as the JDK's.
 */
public class TInetAddress implements Serializable {
    private static final long serialVersionUID = 1L;

    final byte[] address;
    final String hostName;

    TInetAddress(String hostName, byte[] address) {
        this.hostName = hostName;
        this.address = address;
    }

    /**
     * Parses an IPv4 or IPv6 literal, or {@code localhost} (127.0.0.1); {@code null} or empty also means the
     * loopback address, as in the JDK.
     *
     * @throws TUnknownHostException if {@code host} is a name other than localhost (no resolver in a guest)
     */
    public static TInetAddress getByName(String host) throws TUnknownHostException {
        if (host == null || host.isEmpty() || host.equalsIgnoreCase("localhost")) {
            return new TInet4Address(host == null || host.isEmpty() ? "localhost" : host,
                    new byte[] {127, 0, 0, 1});
        }
        String literal = host;
        if (literal.length() > 1 && literal.charAt(0) == '[' && literal.charAt(literal.length() - 1) == ']') {
            literal = literal.substring(1, literal.length() - 1);
        }
        byte[] v4 = TAddressText.parseV4(literal);
        if (v4 != null) {
            return new TInet4Address(null, v4);
        }
        byte[] v6 = TAddressText.parseV6(literal);
        if (v6 != null) {
            return TAddressText.isV4Mapped(v6)
                    ? new TInet4Address(null, Arrays.copyOfRange(v6, 12, 16))
                    : new TInet6Address(null, v6);
        }
        throw new TUnknownHostException(host + ": not an IP literal, and InetAddress has no resolver in a wasm "
                + "guest (WasmEdge's sock_getaddrinfo is not wired into it): pass an address");
    }

    /** The address in {@code bytes} (4 or 16 of them), without a host name. */
    public static TInetAddress getByAddress(byte[] bytes) throws TUnknownHostException {
        return getByAddress(null, bytes);
    }

    /**
     * The address in {@code bytes} (4 or 16 of them) with {@code host} as its name.
     *
     * @throws TUnknownHostException if {@code bytes} is not 4 or 16 bytes long
     */
    public static TInetAddress getByAddress(String host, byte[] bytes) throws TUnknownHostException {
        if (bytes == null || (bytes.length != 4 && bytes.length != 16)) {
            throw new TUnknownHostException("addr is of illegal length");
        }
        if (bytes.length == 4) {
            return new TInet4Address(host, bytes.clone());
        }
        if (TAddressText.isV4Mapped(bytes)) {
            return new TInet4Address(host, Arrays.copyOfRange(bytes, 12, 16));
        }
        return new TInet6Address(host, bytes.clone());
    }

    /** 127.0.0.1, named localhost. */
    public static TInetAddress getLoopbackAddress() {
        return new TInet4Address("localhost", new byte[] {127, 0, 0, 1});
    }

    /** A copy of the raw address, in network byte order. */
    public byte[] getAddress() {
        return address.clone();
    }

    /** The address as text: dotted quad, or eight hexadecimal groups (the JDK's uncompressed form). */
    public String getHostAddress() {
        return TAddressText.format(address);
    }

    /** The host name if one was given, else the address as text (no reverse lookup in a guest). */
    public String getHostName() {
        return hostName != null ? hostName : getHostAddress();
    }

    /** As {@link #getHostName()}. */
    public String getCanonicalHostName() {
        return getHostName();
    }

    /** Whether this is the wildcard address (0.0.0.0 or ::). */
    public boolean isAnyLocalAddress() {
        for (byte b : address) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** Whether this is a loopback address (127/8 or ::1). */
    public boolean isLoopbackAddress() {
        if (address.length == 4) {
            return address[0] == 127;
        }
        for (int i = 0; i < 15; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[15] == 1;
    }

    /** Whether this is a multicast address (224/4 or ff00::/8). */
    public boolean isMulticastAddress() {
        return address.length == 4 ? (address[0] & 0xf0) == 0xe0 : (address[0] & 0xff) == 0xff;
    }

    /** Whether this is a link-local address (169.254/16 or fe80::/10). */
    public boolean isLinkLocalAddress() {
        return address.length == 4 ? (address[0] & 0xff) == 169 && (address[1] & 0xff) == 254
                : (address[0] & 0xff) == 0xfe && (address[1] & 0xc0) == 0x80;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TInetAddress other && Arrays.equals(address, other.address);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(address);
    }

    /** {@code hostname/address}, with an empty name when there is none, as the JDK prints it. */
    @Override
    public String toString() {
        return (hostName != null ? hostName : "") + "/" + getHostAddress();
    }
}
