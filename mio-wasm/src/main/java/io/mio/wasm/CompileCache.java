package io.mio.wasm;

import com.dylibso.chicory.compiler.Cache;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A directory that keeps the JVM classes Chicory's compiler made from a module, so that the next JVM to run the same
 * module loads them instead of compiling it again (for a TeaVM-built 550 KB module, several seconds of start-up).
 * Chicory 1.7.5 has the hook ({@code MachineFactoryCompiler.Builder.withCache}); it keys an entry by the module's
 * SHA-256 only, so this class adds what else the classes depend on and checks every entry before it is used.
 *
 * <p>An entry is one file, named by the SHA-256 of its key: the module's SHA-256 (from Chicory's parser), Chicory's
 * version, the Java feature version and the compiler's options. Its header repeats that key and gives the SHA-256 and
 * length of the class bytes that follow. An entry is used only if its header names exactly this key and its bytes
 * hash to the recorded value; anything else (a truncated or corrupt file, another Chicory version, another module, a
 * file of some other program) is ignored, deleted and compiled afresh, never run. Entries are written to a temporary
 * file and moved into place, so a reader never sees half an entry and concurrent JVMs may share the directory.
 *
 * <p>The hash guards against corruption, not against someone who may write the directory: whoever can write it can
 * choose the code guests run, as whoever can write mio-wasm's jars can. So {@link #open} creates the directory
 * readable by its owner only, and refuses one that others may write.
 *
 * <p>Thread-safety: safe for use by many threads and processes at once. Its methods block on file I/O.
 */
public final class CompileCache implements Cache {
    private static final Logger LOG = Logger.getLogger("io.mio.wasm.cache");
    private static final String MAGIC = "mio-wasm compiled module 1";
    /** The compiler options {@link WasmRunner#compile} uses; part of the key so that changing them misses. */
    static final String OPTIONS = "interpreter-fallback=SILENT";

    private final Path dir;
    private final String chicory;
    final AtomicInteger hits = new AtomicInteger();
    final AtomicInteger stores = new AtomicInteger();
    final AtomicInteger rejected = new AtomicInteger();

    private CompileCache(Path dir, String chicory) {
        this.dir = dir;
        this.chicory = chicory;
    }

    /**
     * Opens (creating it, with permissions {@code rwx------}, if missing) the cache directory {@code dir}.
     *
     * @throws IllegalArgumentException if {@code dir} is not a directory, is a symbolic link, is not owned by this
     *                                  process's user or may be written by its group or others, or if Chicory's
     *                                  version cannot be found (then no entry could be told apart from another
     *                                  version's)
     * @throws IOException if it cannot be created or its attributes read
     */
    public static CompileCache open(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir");
        String version = chicoryVersion();
        if (version == null) {
            throw new IllegalArgumentException("cannot cache compiled modules: Chicory's version is unknown (no module"
                    + " version or pom.properties in its compiler jar)");
        }
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException e) {
                Files.createDirectories(dir);
            }
        }
        if (Files.isSymbolicLink(dir) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("the cache directory " + dir + " is not a directory (or is a symbolic"
                    + " link)");
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new IllegalArgumentException("the cache directory " + dir + " may be written by others ("
                        + PosixFilePermissions.toString(perms) + "): whoever writes it chooses the code guests run;"
                        + " use a directory only you may write (chmod go-w)");
            }
            String me = System.getProperty("user.name");
            String owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName();
            if (me != null && !me.equals(owner)) {
                throw new IllegalArgumentException("the cache directory " + dir + " belongs to " + owner + ", not to "
                        + me);
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing more to check
        }
        return new CompileCache(dir, version);
    }

    /** The directory. */
    public Path dir() {
        return dir;
    }

    /** Chicory's version from its compiler module's descriptor, else its jar's pom.properties; null if neither. */
    static String chicoryVersion() {
        Module m = MachineFactoryCompiler.class.getModule();
        if (m.isNamed() && m.getDescriptor() != null) {
            String v = m.getDescriptor().rawVersion().orElse(null);
            if (v != null) {
                return v;
            }
        }
        try (InputStream in = MachineFactoryCompiler.class.getResourceAsStream(
                "/META-INF/maven/com.dylibso.chicory/compiler/pom.properties")) {
            if (in == null) {
                return null;
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            return null;
        }
    }

    /** Chicory's version this cache keys entries with. */
    String chicory() {
        return chicory;
    }

    private String header(String moduleDigest) {
        return MAGIC + "\nchicory=" + chicory + "\njava=" + Runtime.version().feature() + "\noptions=" + OPTIONS
                + "\nmodule=" + moduleDigest + "\n";
    }

    /** The entry's file: the SHA-256 of its whole key, so a module digest can never name a path. */
    Path entry(String moduleDigest) {
        return dir.resolve(hex(sha256(header(moduleDigest).getBytes(StandardCharsets.UTF_8))) + ".classes");
    }

    /**
     * The class bytes stored for the module with this digest (Chicory's {@code WasmModule.digest()}), or null when
     * there is no entry or it does not pass the checks (then it is deleted, so that {@link #putIfAbsent} writes a
     * good one).
     */
    @Override
    public byte[] get(String moduleDigest) throws IOException {
        Path file = entry(moduleDigest);
        byte[] all;
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
        byte[] payload = check(all, moduleDigest);
        if (payload == null) {
            rejected.incrementAndGet();
            LOG.warning("ignoring the cache entry " + file + ": it is not a valid entry for this module and Chicory "
                    + chicory + " (corrupt, truncated or foreign); compiling again");
            Files.deleteIfExists(file);
            return null;
        }
        hits.incrementAndGet();
        LOG.fine("compiled code loaded from the cache: " + file);
        return payload;
    }

    /** The payload of entry {@code all} if it is a whole, intact entry for {@code moduleDigest}, else null. */
    private byte[] check(byte[] all, String moduleDigest) {
        byte[] head = header(moduleDigest).getBytes(StandardCharsets.UTF_8);
        if (all.length < head.length || !java.util.Arrays.equals(all, 0, head.length, head, 0, head.length)) {
            return null;
        }
        // then "sha256=HEX\nlength=N\n\n" and the payload
        int end = -1;
        for (int i = head.length; i + 1 < all.length && i < head.length + 200; i++) {
            if (all[i] == '\n' && all[i + 1] == '\n') {
                end = i;
                break;
            }
        }
        if (end < 0) {
            return null;
        }
        String[] lines = new String(all, head.length, end - head.length, StandardCharsets.US_ASCII).split("\n");
        if (lines.length != 2 || !lines[0].startsWith("sha256=") || !lines[1].startsWith("length=")) {
            return null;
        }
        long length;
        try {
            length = Long.parseLong(lines[1].substring("length=".length()));
        } catch (NumberFormatException e) {
            return null;
        }
        int start = end + 2;
        if (length != all.length - start) {
            return null;
        }
        byte[] payload = java.util.Arrays.copyOfRange(all, start, all.length);
        return hex(sha256(payload)).equals(lines[0].substring("sha256=".length())) ? payload : null;
    }

    /** Stores the class bytes Chicory compiled for the module with this digest (replacing any entry there). */
    @Override
    public void putIfAbsent(String moduleDigest, byte[] classes) throws IOException {
        byte[] head = (header(moduleDigest) + "sha256=" + hex(sha256(classes)) + "\nlength=" + classes.length + "\n\n")
                .getBytes(StandardCharsets.UTF_8);
        Path file = entry(moduleDigest);
        Path tmp = Files.createTempFile(dir, ".entry-", ".tmp");
        try {
            try (var out = Files.newOutputStream(tmp)) {
                out.write(head);
                out.write(classes);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            stores.incrementAndGet();
            LOG.fine("compiled code stored in the cache: " + file + " (" + classes.length + " bytes)");
        } catch (IOException e) {
            // a cache that cannot be written costs the next start its compile, nothing else
            LOG.log(Level.WARNING, "cannot write the cache entry " + file + ": " + e.getMessage());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public String toString() {
        return "CompileCache[" + dir + ", Chicory " + chicory + "]";
    }
}
