package io.mio.net;

import io.mio.internal.Bridge;

import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * The address of a Unix domain socket, in the three kinds Linux knows (unix(7)): a filesystem
 * {@linkplain Kind#PATHNAME path name}; a name in the Linux {@linkplain Kind#ABSTRACT abstract namespace}
 * (no file; gone when the last socket bound to it closes); or {@linkplain Kind#UNNAMED unnamed} (an unbound
 * socket, or one end of a {@code socketpair}).
 *
 * <p>{@link UnixDomainSocketAddress} (the JDK's type) covers path names only; the socket types accept either.
 *
 * <p>Limits: a path must be shorter than {@value #MAX_PATH_BYTES} bytes once encoded (the size of
 * {@code sun_path}, with room for its terminating NUL) and must not contain a NUL byte; an abstract name has at
 * most {@value #MAX_ABSTRACT_BYTES} bytes (sun_path minus the leading NUL) and may contain any bytes. Longer
 * ones throw {@link IllegalArgumentException} naming the limit.
 *
 * <p>A path name is kept as the bytes the kernel uses. One received from the kernel (a peer, a datagram's
 * sender, a socket's own name) need not be text in the platform's file-name charset ({@code sun.jnu.encoding},
 * ASCII under {@code LANG=C}), in which case {@link #path()} is empty and {@link #pathBytes()} still has it;
 * receiving such an address never fails.
 *
 * <p>Immutable and thread-safe.
 */
public final class UnixAddress {
    /** The size of {@code sun_path} in {@code struct sockaddr_un} on Linux. */
    public static final int SUN_PATH_SIZE = 108;
    /** A path's encoded length must be below this: {@code sun_path} keeps a byte for the terminating NUL. */
    public static final int MAX_PATH_BYTES = SUN_PATH_SIZE;
    /** The longest abstract name. */
    public static final int MAX_ABSTRACT_BYTES = SUN_PATH_SIZE - 1;
    private static final Charset FS_CHARSET = fsCharset();
    private static final UnixAddress UNNAMED = new UnixAddress(Kind.UNNAMED, null, new byte[0]);

    static {
        Bridge.installUnixAddressAccess(new Bridge.UnixAddressAccess() {
            @Override
            public byte[] bytes(UnixAddress address) {
                return address.bytes;
            }

            @Override
            public UnixAddress pathname(byte[] raw) {
                return new UnixAddress(Kind.PATHNAME, pathOf(raw), raw);
            }

            @Override
            public UnixAddress abstractName(byte[] name) {
                return new UnixAddress(Kind.ABSTRACT, null, name);
            }
        });
    }

    /** The kind of a Unix socket address. */
    public enum Kind {
        /** A filesystem path name. */
        PATHNAME,
        /** A name in the Linux abstract namespace. */
        ABSTRACT,
        /** No name: an unbound socket, or a socketpair end. */
        UNNAMED
    }

    private final Kind kind;
    /** The path of a path name; null for the other kinds and for bytes the file-name charset cannot decode. */
    private final Path path;
    private final byte[] bytes; // encoded path (no NUL) or abstract name

    private UnixAddress(Kind kind, Path path, byte[] bytes) {
        this.kind = kind;
        this.path = path;
        this.bytes = bytes;
    }

    private static Charset fsCharset() {
        String name = System.getProperty("sun.jnu.encoding");
        try {
            return name != null ? Charset.forName(name) : StandardCharsets.UTF_8;
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }

    /**
     * The path-name address {@code path}.
     *
     * @throws IllegalArgumentException if the path is empty, contains a NUL, or is not shorter than
     *         {@value #MAX_PATH_BYTES} bytes
     */
    public static UnixAddress of(Path path) {
        Objects.requireNonNull(path, "path");
        String text = path.toString();
        byte[] raw = text.getBytes(FS_CHARSET);
        if (raw.length == 0) {
            throw new IllegalArgumentException("empty Unix socket path (use UnixAddress.unnamed() for no name)");
        }
        if (raw.length >= MAX_PATH_BYTES) {
            throw new IllegalArgumentException("Unix socket path is " + raw.length + " bytes; it must be shorter than "
                    + MAX_PATH_BYTES + " bytes (sun_path): " + text);
        }
        for (byte b : raw) {
            if (b == 0) {
                throw new IllegalArgumentException("Unix socket path contains a NUL byte: " + text);
            }
        }
        return new UnixAddress(Kind.PATHNAME, path, raw);
    }

    /** The path-name address of {@code address}; see {@link #of(Path)}. */
    public static UnixAddress of(UnixDomainSocketAddress address) {
        return of(Objects.requireNonNull(address, "address").getPath());
    }

    /**
     * The abstract-namespace address {@code name} (raw bytes, without the leading NUL Linux uses to mark it).
     *
     * @throws IllegalArgumentException if {@code name} is longer than {@value #MAX_ABSTRACT_BYTES} bytes
     */
    public static UnixAddress ofAbstract(byte[] name) {
        Objects.requireNonNull(name, "name");
        if (name.length > MAX_ABSTRACT_BYTES) {
            throw new IllegalArgumentException("abstract Unix socket name is " + name.length + " bytes; at most "
                    + MAX_ABSTRACT_BYTES + " fit in sun_path (108 bytes, one taken by the leading NUL)");
        }
        return new UnixAddress(Kind.ABSTRACT, null, name.clone());
    }

    /** The abstract-namespace address of {@code name} in UTF-8; see {@link #ofAbstract(byte[])}. */
    public static UnixAddress ofAbstract(String name) {
        return ofAbstract(Objects.requireNonNull(name, "name").getBytes(StandardCharsets.UTF_8));
    }

    /** The unnamed address. */
    public static UnixAddress unnamed() {
        return UNNAMED;
    }

    /** Which of the three kinds this address is. */
    public Kind kind() {
        return kind;
    }

    /** Whether this is the unnamed address. */
    public boolean isUnnamed() {
        return kind == Kind.UNNAMED;
    }

    /** Whether this is an abstract-namespace name. */
    public boolean isAbstract() {
        return kind == Kind.ABSTRACT;
    }

    /**
     * The path of a path-name address; empty for the other kinds, and for a path name received from the kernel
     * whose bytes are not text in the platform's file-name charset (no {@link Path} can name them; see
     * {@link #pathBytes()}).
     */
    public Optional<Path> path() {
        return Optional.ofNullable(path);
    }

    /**
     * A copy of the bytes of a path-name address as the kernel sees them (without the terminating NUL); empty
     * for the other kinds. Always present for a path name, even when {@link #path()} is empty.
     */
    public Optional<byte[]> pathBytes() {
        return kind == Kind.PATHNAME ? Optional.of(bytes.clone()) : Optional.empty();
    }

    /** A copy of the name of an abstract address; empty for the other kinds. */
    public Optional<byte[]> abstractName() {
        return kind == Kind.ABSTRACT ? Optional.of(bytes.clone()) : Optional.empty();
    }

    /**
     * This path-name address as the JDK's type.
     *
     * @throws IllegalStateException for an abstract or unnamed address, or a path name that is not text in the
     *         platform's file-name charset ({@link #path()} is empty)
     */
    public UnixDomainSocketAddress toUnixDomainSocketAddress() {
        if (kind != Kind.PATHNAME) {
            throw new IllegalStateException("a " + kind + " Unix address has no UnixDomainSocketAddress form: " + this);
        }
        if (path == null) {
            throw new IllegalStateException("the Unix socket path " + this + " is not text in the file-name charset "
                    + FS_CHARSET + ", so no Path can name it (see pathBytes())");
        }
        return UnixDomainSocketAddress.of(path);
    }

    /** The path {@code raw} names in the file-name charset, or null if it is not text there (never throws). */
    private static Path pathOf(byte[] raw) {
        String text;
        try {
            text = FS_CHARSET.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            return null;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UnixAddress other && other.kind == kind && Arrays.equals(other.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + Arrays.hashCode(bytes);
    }

    /**
     * {@code path}, {@code @name} (abstract) or {@code (unnamed)}. In an abstract name, and in a path name that
     * is not text in the file-name charset, bytes that are not printable ASCII appear as hex escapes.
     */
    @Override
    public String toString() {
        return switch (kind) {
            case PATHNAME -> path != null ? path.toString() : escaped(new StringBuilder());
            case UNNAMED -> "(unnamed)";
            case ABSTRACT -> escaped(new StringBuilder("@"));
        };
    }

    private String escaped(StringBuilder sb) {
        for (byte b : bytes) {
            if (b >= 0x20 && b < 0x7F && b != '\\') {
                sb.append((char) b);
            } else {
                sb.append("\\x").append(HexFormat.of().toHexDigits(b));
            }
        }
        return sb.toString();
    }
}
