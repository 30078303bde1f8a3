package io.mio.wasm;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * The sandbox of a guest's network access. Default: deny everything (no bind, no connect, no name lookups beyond
 * numeric hosts and {@code localhost}), at most {@link #defaultMaxSockets()} open sockets (the process's open-file
 * limit, as a guest has under WasmEdge). Immutable and thread-safe.
 *
 * <p>Address patterns ({@link Builder#allowBind}, {@link Builder#allowConnect}) are {@code HOST:PORT}:
 * <ul>
 *   <li>HOST: {@code *} (any address), an IPv4 literal, an IPv6 literal in brackets ({@code [::1]}), either with
 *       an optional {@code /prefix} (CIDR, {@code 10.0.0.0/8}), or {@code localhost} (127.0.0.0/8 and ::1);</li>
 *   <li>PORT: {@code *}, a number, or a range {@code 8000-8099}. Port 0 (bind to an ephemeral port) matches only
 *       {@code *} or a range that contains 0.</li>
 * </ul>
 * A bare {@code *} allows every address and port. Name patterns ({@link Builder#allowResolve}) are a host name,
 * {@code *.example.com} (any subdomain) or {@code *} (every name).
 *
 * <p>A refused call is logged (java.util.logging, logger {@code io.mio.wasm.sandbox}, level WARNING) and fails
 * with the errno a Linux host gives when policy forbids it: bind returns ACCES (as for a protected port),
 * connect returns PERM (as when a local firewall rule rejects it), name resolution returns PERM, binding a socket to
 * a network device other than loopback ({@link Builder#allowDevice}) returns PERM.
 */
public final class NetPolicy {
    /** The least default socket cap, whatever the process's open-file limit says. */
    static final int MIN_DEFAULT_MAX_SOCKETS = 1024;
    private static final int DEFAULT_MAX_SOCKETS = openFileLimit();
    static final Logger LOG = Logger.getLogger("io.mio.wasm.sandbox");

    /**
     * {@code a} as the allow-lists spell it, {@code 127.0.0.1:80} or {@code [::1]:80} (InetSocketAddress's own
     * toString puts a '/' before an address without a host name).
     */
    static String spell(InetSocketAddress a) {
        String ip = a.getAddress().getHostAddress();
        return (a.getAddress() instanceof java.net.Inet6Address ? "[" + ip + "]" : ip) + ":" + a.getPort();
    }

    /**
     * Logs a refusal, one line that says what was refused, the errno the guest got and the command-line flag that
     * would allow it: {@code sock_bind 127.0.0.1:80 refused by the sandbox (ACCES): add --allow-bind 127.0.0.1:80}.
     */
    static void refused(String call, String what, String errno, String flag, String value) {
        LOG.warning(() -> call + " " + what + " refused by the sandbox (" + errno + "): add " + flag + " " + value);
    }

    private final List<AddressRule> bind;
    private final List<AddressRule> connect;
    private final List<String> names;
    private final List<String> devices;
    private final int maxSockets;

    private NetPolicy(Builder b) {
        this.bind = List.copyOf(b.bind);
        this.connect = List.copyOf(b.connect);
        this.names = List.copyOf(b.names);
        this.devices = List.copyOf(b.devices);
        this.maxSockets = b.maxSockets;
    }

    /** Denies all network access. */
    public static NetPolicy denyAll() {
        return builder().build();
    }

    /** Allows everything (tests and trusted guests); still limits sockets to {@link #defaultMaxSockets()}. */
    public static NetPolicy allowAll() {
        return builder().allowBind("*").allowConnect("*").allowResolve("*").build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** How many sockets the guest may have open at once; past it {@code sock_open}/{@code sock_accept} give MFILE. */
    public int maxSockets() {
        return maxSockets;
    }

    /**
     * The socket cap of a policy that sets none: the process's open-file limit (RLIMIT_NOFILE's soft limit, as the
     * JVM sees it: HotSpot raises it to the hard limit at start-up), at least {@value #MIN_DEFAULT_MAX_SOCKETS}. A
     * guest so meets the limit a native process would (WasmEdge has no per-guest cap): a server is not cut off at
     * a small number of connections, and sockets past the OS limit fail with MFILE all the same.
     */
    public static int defaultMaxSockets() {
        return DEFAULT_MAX_SOCKETS;
    }

    private static int openFileLimit() {
        long soft = -1;
        // jdk.management's Unix bean reads getrlimit(RLIMIT_NOFILE).rlim_cur; RLIM_INFINITY comes back negative
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            soft = unix.getMaxFileDescriptorCount();
            if (soft < 0) {
                soft = Integer.MAX_VALUE;
            }
        }
        return (int) Math.max(MIN_DEFAULT_MAX_SOCKETS, Math.min(soft, Integer.MAX_VALUE));
    }

    public boolean allowsBind(InetSocketAddress a) {
        return matches(bind, a);
    }

    public boolean allowsConnect(InetSocketAddress a) {
        return matches(connect, a);
    }

    /** Whether a DNS lookup of {@code name} is allowed (numeric hosts and localhost never need one). */
    public boolean allowsResolve(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (String p : names) {
            if (p.equals("*") || p.equals(n) || (p.startsWith("*.") && n.endsWith(p.substring(1)))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the guest may bind a socket to network device {@code name} (SO_BINDTODEVICE). The loopback device
     * needs no permission (the host allows it without asking); every other one must be named, or {@code *} allowed.
     */
    public boolean allowsDevice(String name) {
        return devices.contains("*") || devices.contains(name);
    }

    private static boolean matches(List<AddressRule> rules, InetSocketAddress a) {
        for (AddressRule r : rules) {
            if (r.matches(a.getAddress(), a.getPort())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "NetPolicy[bind=" + bind + ", connect=" + connect + ", resolve=" + names + ", devices=" + devices
                + ", maxSockets=" + maxSockets + "]";
    }

    public static final class Builder {
        private final List<AddressRule> bind = new ArrayList<>();
        private final List<AddressRule> connect = new ArrayList<>();
        private final List<String> names = new ArrayList<>();
        private final List<String> devices = new ArrayList<>();
        private int maxSockets = DEFAULT_MAX_SOCKETS;

        private Builder() {}

        /** Allows binding (and listening) on addresses matching {@code pattern}; see the class comment. */
        public Builder allowBind(String pattern) {
            bind.add(AddressRule.parse(pattern));
            return this;
        }

        /**
         * Allows connecting (TCP and UDP) and sending UDP datagrams to addresses matching {@code pattern}; see the
         * class comment.
         */
        public Builder allowConnect(String pattern) {
            connect.add(AddressRule.parse(pattern));
            return this;
        }

        /** Allows DNS lookups of names matching {@code pattern}: a name, {@code *.domain} or {@code *}. */
        public Builder allowResolve(String pattern) {
            Objects.requireNonNull(pattern, "pattern");
            if (pattern.isEmpty()) {
                throw new IllegalArgumentException("empty name pattern");
            }
            names.add(pattern.toLowerCase(Locale.ROOT));
            return this;
        }

        /**
         * Allows binding sockets to network device {@code name} (SO_BINDTODEVICE), or to any device with {@code *}.
         * The loopback device is always allowed.
         */
        public Builder allowDevice(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isEmpty() || name.length() > 15 || name.indexOf('/') >= 0 || name.chars().anyMatch(
                    Character::isWhitespace)) {
                throw new IllegalArgumentException("bad device name '" + name
                        + "': expected a network interface name (at most 15 characters, as lo or eth0) or *");
            }
            devices.add(name);
            return this;
        }

        /** At most this many sockets open at once; more give MFILE. Default: {@link #defaultMaxSockets()}. */
        public Builder maxSockets(int max) {
            if (max < 0) {
                throw new IllegalArgumentException("maxSockets must not be negative: " + max);
            }
            this.maxSockets = max;
            return this;
        }

        public NetPolicy build() {
            return new NetPolicy(this);
        }
    }

    /** One HOST:PORT pattern. {@code net == null} means any address; {@code localhost} is two rules' worth. */
    record AddressRule(String text, byte[] net, int prefix, boolean localhost, int portLo, int portHi) {
        static AddressRule parse(String pattern) {
            Objects.requireNonNull(pattern, "pattern");
            String p = pattern.trim();
            if (p.equals("*")) {
                return new AddressRule(p, null, 0, false, 0, 65535);
            }
            String host;
            String port;
            if (p.startsWith("[")) {
                int close = p.indexOf(']');
                if (close < 0 || close + 1 >= p.length() || p.charAt(close + 1) != ':') {
                    throw bad(pattern);
                }
                host = p.substring(1, close);
                port = p.substring(close + 2);
            } else {
                int colon = p.lastIndexOf(':');
                if (colon < 0 || p.indexOf(':') != colon) {
                    throw bad(pattern);
                }
                host = p.substring(0, colon);
                port = p.substring(colon + 1);
            }
            int lo;
            int hi;
            try {
                if (port.equals("*")) {
                    lo = 0;
                    hi = 65535;
                } else if (port.contains("-")) {
                    lo = Integer.parseInt(port.substring(0, port.indexOf('-')));
                    hi = Integer.parseInt(port.substring(port.indexOf('-') + 1));
                } else {
                    lo = hi = Integer.parseInt(port);
                }
            } catch (NumberFormatException e) {
                throw bad(pattern);
            }
            if (lo < 0 || hi > 65535 || lo > hi) {
                throw bad(pattern);
            }
            if (host.equals("*")) {
                return new AddressRule(p, null, 0, false, lo, hi);
            }
            if (host.equalsIgnoreCase("localhost")) {
                return new AddressRule(p, null, 0, true, lo, hi);
            }
            int prefix = -1;
            int slash = host.indexOf('/');
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(host.substring(slash + 1));
                } catch (NumberFormatException e) {
                    throw bad(pattern);
                }
                host = host.substring(0, slash);
            }
            byte[] net;
            try {
                net = InetAddress.ofLiteral(host).getAddress();
            } catch (IllegalArgumentException e) {
                throw bad(pattern);
            }
            if (prefix < 0) {
                prefix = net.length * 8;
            }
            if (prefix > net.length * 8) {
                throw bad(pattern);
            }
            return new AddressRule(p, net, prefix, false, lo, hi);
        }

        private static IllegalArgumentException bad(String pattern) {
            return new IllegalArgumentException("bad address pattern '" + pattern
                    + "': expected *, HOST:PORT with HOST = * | IPv4[/prefix] | [IPv6][/prefix] | localhost"
                    + " and PORT = * | N | N-M");
        }

        boolean matches(InetAddress address, int port) {
            if (port < portLo || port > portHi) {
                return false;
            }
            byte[] a = address.getAddress();
            if (localhost) {
                return address.isLoopbackAddress();
            }
            if (net == null) {
                return true;
            }
            if (a.length != net.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != net[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest != 0) {
                int mask = (0xFF << (8 - rest)) & 0xFF;
                return (a[full] & mask) == (net[full] & mask);
            }
            return true;
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
