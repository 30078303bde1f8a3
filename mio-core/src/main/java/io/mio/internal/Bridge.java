package io.mio.internal;

import io.mio.Registry;
import io.mio.internal.spi.SelectorSpi;
import io.mio.net.SocketAddressHolder;
import io.mio.net.UnixAddress;

/**
 * Lets the backends reach the public classes' internals without making them public API (this package is not
 * exported): the selector behind a {@link Registry}, the raw state of the address types. The public classes install
 * the accessors in their static initialisers (plain interfaces, no reflection, so any backend and any compiler can
 * use them).
 */
public final class Bridge {
    private Bridge() {}

    /** Reaches the backend behind a {@link Registry}. */
    public interface RegistryAccess {
        SelectorSpi selector(Registry registry);
    }

    /** Reaches the fields of a {@link SocketAddressHolder}, so a backend fills and reads it without allocating. */
    public interface HolderAccess {
        /** The holder's 16-byte address array itself (IPv4 in the first 4 bytes). */
        byte[] address(SocketAddressHolder holder);

        /** Sets the family ({@code v6}), port and scope id; the caller has written the address array. */
        void set(SocketAddressHolder holder, boolean v6, int port, int scopeId);
    }

    /** Reaches the bytes of a {@link UnixAddress} and builds one from the kernel's bytes. */
    public interface UnixAddressAccess {
        /** The address's own bytes (not a copy): the encoded path, or the abstract name. */
        byte[] bytes(UnixAddress address);

        /** A path name from the kernel's bytes (kept; any bytes are accepted). */
        UnixAddress pathname(byte[] raw);

        /** An abstract name from the kernel's bytes (kept). */
        UnixAddress abstractName(byte[] name);
    }

    private static RegistryAccess registryAccess;
    private static HolderAccess holderAccess;
    private static UnixAddressAccess unixAddressAccess;

    public static void installRegistryAccess(RegistryAccess access) {
        registryAccess = access;
    }

    public static void installHolderAccess(HolderAccess access) {
        holderAccess = access;
    }

    public static void installUnixAddressAccess(UnixAddressAccess access) {
        unixAddressAccess = access;
    }

    public static SelectorSpi selector(Registry registry) {
        // A Registry exists, so its class was initialised and installed the accessor: no Class.forName here,
        // which TeaVM's WASI target cannot compile.
        return registryAccess.selector(registry);
    }

    public static HolderAccess holders() {
        // Called with a holder in hand, so SocketAddressHolder's initialiser has installed the accessor.
        return holderAccess;
    }

    public static UnixAddressAccess unixAddresses() {
        if (unixAddressAccess == null) {
            initialize(UnixAddress.class);
        }
        return unixAddressAccess;
    }

    /** The error for a source registered with a Poll of another backend. */
    public static IllegalArgumentException mismatch(Object source, String backend, SelectorSpi s) {
        return new IllegalArgumentException("cannot register " + source + " (a source of the " + backend
                + " backend) with a Poll of the " + s.backend() + " backend");
    }

    private static void initialize(Class<?> c) {
        try {
            Class.forName(c.getName(), true, c.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }
}
