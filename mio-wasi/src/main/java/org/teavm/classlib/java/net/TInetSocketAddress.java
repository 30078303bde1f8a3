package org.teavm.classlib.java.net;

/**
 * {@code java.net.InetSocketAddress} for the wasm build: an IP address (or an unresolved host name) and a
 * port. Host names other than literals and {@code localhost} stay unresolved, as the JDK leaves a name it
 * cannot resolve; io.mio then throws {@code UnresolvedAddressException}. Immutable and thread-safe.
 */
public class TInetSocketAddress extends TSocketAddress {
    private static final long serialVersionUID = 1L;

    private final String hostname;
    private final TInetAddress addr;
    private final int port;

    private TInetSocketAddress(String hostname, TInetAddress addr, int port) {
        this.hostname = hostname;
        this.addr = addr;
        this.port = checkPort(port);
    }

    /** The wildcard address (0.0.0.0, named so, as the JDK's) and {@code port}. */
    public TInetSocketAddress(int port) {
        this(null, anyLocal(), port);
    }

    /** {@code addr} (the wildcard address if null) and {@code port}. */
    public TInetSocketAddress(TInetAddress addr, int port) {
        this(null, addr != null ? addr : anyLocal(), port);
    }

    /**
     * {@code hostname} parsed as a literal or {@code localhost}; any other name stays unresolved (and only then
     * is the name kept, as the JDK keeps it).
     *
     * @throws IllegalArgumentException if the port is outside 0-65535 or {@code hostname} is null
     */
    public TInetSocketAddress(String hostname, int port) {
        this(checkHost(hostname), port, resolve(hostname));
    }

    private TInetSocketAddress(String hostname, int port, TInetAddress resolved) {
        this(resolved == null ? hostname : null, resolved, port);
    }

    private static TInetAddress anyLocal() {
        return new TInet4Address("0.0.0.0", new byte[4]);
    }

    /** An unresolved address: no lookup is tried. */
    public static TInetSocketAddress createUnresolved(String host, int port) {
        return new TInetSocketAddress(checkHost(host), null, port);
    }

    private static String checkHost(String host) {
        if (host == null) {
            throw new IllegalArgumentException("hostname can't be null");
        }
        return host;
    }

    private static int checkPort(int port) {
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port out of range:" + port);
        }
        return port;
    }

    private static TInetAddress resolve(String host) {
        try {
            return TInetAddress.getByName(host);
        } catch (TUnknownHostException e) {
            return null;
        }
    }

    /** The port. */
    public final int getPort() {
        return port;
    }

    /** The address, or null if unresolved. */
    public final TInetAddress getAddress() {
        return addr;
    }

    /** The host name given, or else the address's name or text. */
    public final String getHostName() {
        return hostname != null ? hostname : addr.getHostName();
    }

    /** The host name given, or else the address as text; never a lookup. */
    public final String getHostString() {
        if (hostname != null) {
            return hostname;
        }
        return addr.hostName != null ? addr.hostName : addr.getHostAddress();
    }

    /** Whether the host name could not be turned into an address. */
    public final boolean isUnresolved() {
        return addr == null;
    }

    @Override
    public final boolean equals(Object o) {
        if (!(o instanceof TInetSocketAddress other) || port != other.port) {
            return false;
        }
        if (addr != null) {
            return addr.equals(other.addr);
        }
        return other.addr == null && hostname.equalsIgnoreCase(other.hostname);
    }

    @Override
    public final int hashCode() {
        return (addr != null ? addr.hashCode() : hostname.toLowerCase().hashCode()) + port;
    }

    /** The JDK's form: {@code name/address:port}, {@code name/<unresolved>:port}, IPv6 in brackets. */
    @Override
    public String toString() {
        if (addr == null) {
            return hostname + "/<unresolved>:" + port;
        }
        String text = addr.getHostAddress();
        String host = addr.address.length == 16 ? "[" + text + "]" : text;
        String name = hostname != null ? hostname : (addr.hostName != null ? addr.hostName : "");
        return name + "/" + host + ":" + port;
    }
}
