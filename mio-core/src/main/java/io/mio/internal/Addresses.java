package io.mio.internal;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.channels.UnresolvedAddressException;
import java.util.Objects;

/** Backend-neutral checks of socket addresses, for the argument checks of the public classes. */
public final class Addresses {
    private Addresses() {}

    /**
     * Whether {@code address} is IPv6 (else IPv4).
     *
     * @throws NullPointerException if {@code address} is null
     * @throws UnresolvedAddressException if it is unresolved
     */
    public static boolean isV6(InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        return address.getAddress() instanceof Inet6Address;
    }
}
