package io.mio.wasm;

import com.dylibso.chicory.compiler.Cache;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;
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
 * <p>The directory is bounded ({@link #DEFAULT_MAX_BYTES} unless {@link #open(Path, long)} says otherwise): after each
 * store, the least recently used entries are deleted until the entries' total size fits. "Used" is the file's
 * last-modified time, which a store sets and every hit sets again: an order among entries is all eviction needs, and
 * unlike the access time it does not depend on how the file system is mounted (noatime, relatime). Two JVMs touching
 * the same entry at once leave either time, both recent. Only files this cache wrote are ever deleted: a regular file
 * named like an entry whose first bytes are an entry's header, and the temporary file of a writer that died (one
 * named like this cache's temporary files and older than {@link #STALE_TEMP}); anything else in the directory is left
 * alone and not counted. A JVM reading an entry that another JVM deletes either reads it whole (an open file stays
 * readable on POSIX systems), or finds it missing and compiles again, as on any miss.
 *
 * <p>{@link #parse} also saves most of Chicory's validation of a module it holds good classes for: the entry exists
 * only because a JVM with the same Chicory parsed and validated the same bytes (the same SHA-256) and compiled them.
 * Only when those classes compile every function, though: a function too large for a JVM method is interpreted
 * (Chicory's interpreter fallback), and the interpreter reads the instructions Chicory's validator annotates.
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
    /** The bound of {@link #open(Path)}: room for a few large modules (a 550 KB TeaVM module's entry is 267 KB). */
    public static final long DEFAULT_MAX_BYTES = 256L << 20;
    /** How old a temporary file must be to be taken for a dead writer's (a live one renames it within seconds). */
    static final java.time.Duration STALE_TEMP = java.time.Duration.ofHours(1);
    private static final String TEMP_PREFIX = ".entry-";
    private static final String TEMP_SUFFIX = ".tmp";
    private static final Pattern ENTRY_NAME = Pattern.compile("[0-9a-f]{64}\\.classes");
    private static final Pattern TEMP_NAME = Pattern.compile(Pattern.quote(TEMP_PREFIX) + "[0-9]+" + Pattern.quote(TEMP_SUFFIX));
    /** What every entry this class ever wrote starts with, whatever its format's version. */
    private static final byte[] ANY_MAGIC = "mio-wasm compiled module ".getBytes(StandardCharsets.US_ASCII);

    private final Path dir;
    private final String chicory;
    private final long maxBytes;
    final AtomicInteger hits = new AtomicInteger();
    final AtomicInteger stores = new AtomicInteger();
    final AtomicInteger rejected = new AtomicInteger();
    final AtomicInteger evicted = new AtomicInteger();
    /** Modules {@link #parse} parsed without validating them again. */
    final AtomicInteger unvalidated = new AtomicInteger();
    /** The entry {@link #parse} read and checked, for Chicory's {@link #get} that follows (one module at a time). */
    private volatile Checked checked;
    /** Tests: runs when {@link #get} has found an entry, before it reads it (another JVM may delete it there). */
    Consumer<Path> beforeRead = file -> { };

    private CompileCache(Path dir, String chicory, long maxBytes) {
        this.dir = dir;
        this.chicory = chicory;
        this.maxBytes = maxBytes;
    }

    /**
     * Opens (creating it, with permissions {@code rwx------}, if missing) the cache directory {@code dir}, bounded to
     * {@link #DEFAULT_MAX_BYTES}; as {@link #open(Path, long)}.
     *
     * @throws IllegalArgumentException as {@link #open(Path, long)}
     * @throws IOException as {@link #open(Path, long)}
     */
    public static CompileCache open(Path dir) throws IOException {
        return open(dir, DEFAULT_MAX_BYTES);
    }

    /**
     * Opens (creating it, with permissions {@code rwx------}, if missing) the cache directory {@code dir}, whose
     * entries this cache keeps within {@code maxBytes} in total by deleting the least recently used after each store
     * (the entry just stored stays, even alone over the bound). Blocks on file I/O.
     *
     * @throws IllegalArgumentException if {@code dir} is not a directory, is a symbolic link, is not owned by this
     *                                  process's user or may be written by its group or others, or if Chicory's
     *                                  version cannot be found (then no entry could be told apart from another
     *                                  version's), or if {@code maxBytes} is not positive
     * @throws IOException if it cannot be created or its attributes read
     */
    public static CompileCache open(Path dir, long maxBytes) throws IOException {
        Objects.requireNonNull(dir, "dir");
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("the cache's bound must be a positive number of bytes, not " + maxBytes);
        }
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
        return new CompileCache(dir, version, maxBytes);
    }

    /** The directory. */
    public Path dir() {
        return dir;
    }

    /** The bound on the entries' total size, in bytes. */
    public long maxBytes() {
        return maxBytes;
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
     * there is no entry (or another JVM deleted it meanwhile) or it does not pass the checks (then, if it starts as
     * an entry does, it is deleted; {@link #putIfAbsent} writes a good one in its place). A hit marks the entry as
     * just used, for eviction. Blocks on file I/O.
     */
    @Override
    public byte[] get(String moduleDigest) throws IOException {
        Checked c = checked;
        if (c != null && c.moduleDigest().equals(moduleDigest)) {
            checked = null;
            return hit(entry(moduleDigest), c.classes());
        }
        byte[] payload = read(moduleDigest);
        return payload == null ? null : hit(entry(moduleDigest), payload);
    }

    private byte[] hit(Path file, byte[] payload) {
        hits.incrementAndGet();
        touch(file);
        LOG.fine("compiled code loaded from the cache: " + file);
        return payload;
    }

    private record Checked(String moduleDigest, byte[] classes) {}

    /**
     * Parses {@code wasm} as Chicory's {@code Parser.parse} does; when this cache holds a good entry for it whose
     * classes compile every function, without Chicory's validation of the functions, types, globals, elements, data
     * and tables (the part of the parse that a JVM validating the same bytes did already; see the class comment).
     * Blocks on file I/O; a cache that cannot be read costs only the validation.
     *
     * @throws com.dylibso.chicory.wasm.ChicoryException if {@code wasm} is not a valid module
     */
    public WasmModule parse(byte[] wasm) {
        Objects.requireNonNull(wasm, "wasm");
        String digest = "sha-256:" + Base64.getEncoder().encodeToString(sha256(wasm)); // as Chicory's parser
        byte[] payload;
        try {
            payload = read(digest);
        } catch (IOException e) {
            LOG.fine("cannot read the cache entry " + entry(digest) + ": " + e);
            payload = null;
        }
        if (payload == null) {
            return Parser.parse(wasm);
        }
        checked = new Checked(digest, payload);
        if (compilesEveryFunction(payload)) {
            WasmModule module = Parser.builder().withValidation(false).build()
                    .parse(() -> new java.io.ByteArrayInputStream(wasm));
            if (digest.equals(module.digest())) {
                unvalidated.incrementAndGet();
                return module;
            }
        }
        return Parser.parse(wasm);
    }

    /**
     * Whether the classes in {@code payload} (Chicory's jar of them) run every function compiled: Chicory 1.7.5's
     * main class has a field of its {@code CompilerInterpreterMachine} when any function falls back to the
     * interpreter (a test checks this with such a module). Anything unreadable counts as not.
     */
    static boolean compilesEveryFunction(byte[] payload) {
        byte[] mark = "InterpreterMachine".getBytes(StandardCharsets.US_ASCII);
        try (var jar = new java.util.jar.JarInputStream(new java.io.ByteArrayInputStream(payload))) {
            boolean classes = false;
            for (var e = jar.getNextJarEntry(); e != null; e = jar.getNextJarEntry()) {
                if (e.getName().endsWith(".class")) {
                    classes = true;
                    if (indexOf(jar.readAllBytes(), mark) >= 0) {
                        return false;
                    }
                }
            }
            return classes;
        } catch (IOException e) {
            return false;
        }
    }

    private static int indexOf(byte[] in, byte[] what) {
        outer:
        for (int i = 0; i + what.length <= in.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (in[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The checked class bytes of the entry for {@code moduleDigest}, or null (a bad entry is also deleted). */
    private byte[] read(String moduleDigest) throws IOException {
        Path file = entry(moduleDigest);
        byte[] all;
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            beforeRead.accept(file);
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null; // evicted by another JVM since: a miss
        }
        byte[] payload = check(all, moduleDigest);
        if (payload == null) {
            rejected.incrementAndGet();
            LOG.warning("ignoring the cache entry " + file + ": it is not a valid entry for this module and Chicory "
                    + chicory + " (corrupt, truncated or foreign); compiling again");
            if (writtenHere(file)) {
                Files.deleteIfExists(file);
            }
            return null;
        }
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

    /**
     * Stores the class bytes Chicory compiled for the module with this digest (replacing any entry there), then
     * deletes the least recently used entries beyond {@link #maxBytes}. A failure to write or to evict is logged, not
     * thrown: it costs a later start its compile, nothing else. Blocks on file I/O.
     */
    @Override
    public void putIfAbsent(String moduleDigest, byte[] classes) throws IOException {
        byte[] head = (header(moduleDigest) + "sha256=" + hex(sha256(classes)) + "\nlength=" + classes.length + "\n\n")
                .getBytes(StandardCharsets.UTF_8);
        Path file = entry(moduleDigest);
        Path tmp = Files.createTempFile(dir, TEMP_PREFIX, TEMP_SUFFIX);
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
        try {
            evict(file);
        } catch (IOException e) {
            // the bound is kept at the next store
            LOG.log(Level.WARNING, "cannot evict entries from the cache " + dir + ": " + e.getMessage());
        }
    }

    /** Marks {@code file} as just used, for eviction; an entry gone or read-only meanwhile is no error. */
    private static void touch(Path file) {
        try {
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException e) {
            LOG.fine("cannot mark the cache entry " + file + " as used: " + e);
        }
    }

    private record Entry(Path file, long size, FileTime used) {}

    /**
     * Deletes the least recently used entries until the entries' total fits {@link #maxBytes} ({@code kept}, just
     * stored, stays), and dead writers' temporary files. Another JVM may be doing the same: a file already gone is
     * skipped, and its size still counts as freed.
     */
    private void evict(Path kept) throws IOException {
        List<Entry> entries = new ArrayList<>();
        long total = 0;
        FileTime staleBefore = FileTime.fromMillis(System.currentTimeMillis() - STALE_TEMP.toMillis());
        try (var files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                boolean entryName = ENTRY_NAME.matcher(name).matches();
                if (!entryName && !TEMP_NAME.matcher(name).matches()) {
                    continue;
                }
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException e) {
                    continue;
                }
                if (!a.isRegularFile()) {
                    continue;
                }
                if (!entryName) {
                    if (a.lastModifiedTime().compareTo(staleBefore) < 0 && Files.deleteIfExists(f)) {
                        LOG.fine("deleted a dead writer's temporary file from the cache: " + f);
                    }
                } else if (writtenHere(f)) {
                    entries.add(new Entry(f, a.size(), a.lastModifiedTime()));
                    total += a.size();
                }
            }
        }
        entries.sort(Comparator.comparing(Entry::used));
        for (Entry e : entries) {
            if (total <= maxBytes) {
                break;
            }
            if (e.file().equals(kept)) {
                continue;
            }
            Files.deleteIfExists(e.file());
            total -= e.size();
            evicted.incrementAndGet();
            LOG.fine("evicted the least recently used cache entry " + e.file() + " (" + e.size() + " bytes; the cache"
                    + " holds at most " + maxBytes + ")");
        }
    }

    /** Whether {@code file} starts as every entry this class writes does (a file gone meanwhile: no). */
    private static boolean writtenHere(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            return java.util.Arrays.equals(in.readNBytes(ANY_MAGIC.length), ANY_MAGIC);
        } catch (NoSuchFileException e) {
            return false;
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
        return "CompileCache[" + dir + ", Chicory " + chicory + ", at most " + maxBytes + " bytes]";
    }
}
