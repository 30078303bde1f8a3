package io.mio;

import io.mio.net.TcpStream;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.FieldModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.MemberRefEntry;
import java.lang.classfile.constantpool.NameAndTypeEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The public packages reach the backends only through {@code io.mio.internal.spi} (issue 13): read from the compiled
 * class files' constant pools, so that a backend (another package under {@code io.mio.internal}) can be added or
 * swapped without touching a public class, and the public classes compile for targets without FFM or java.nio
 * channels (the WASI build).
 */
class BackendBoundaryTest {
    private static final List<String> PUBLIC_PACKAGES = List.of("io/mio", "io/mio/event", "io/mio/net", "io/mio/unix");

    /** Types a public class must not name; thrown exceptions of java.nio.channels stay allowed. */
    private static final Pattern FORBIDDEN = Pattern.compile(
            "io/mio/internal/(?!spi/)[^/]+/.*" // a backend package (linux, nio, any later one)
                    + "|java/lang/foreign/.*|jdk/net/.*|java/nio/channels/spi/.*"
                    // Selector, SocketChannel, Pipe, ...; the byte-channel interfaces the streams implement are
                    // allowed (TeaVM's class library and mio-wasi's have them)
                    + "|java/nio/channels/(?![^/]*Exception$)(?!(Byte|ReadableByte|WritableByte|ScatteringByte|GatheringByte)?Channel$)[^/]+"
                    + "|java/net/StandardSocketOptions|java/net/SocketOption|java/net/StandardProtocolFamily"
                    + "|java/lang/invoke/(VarHandle|MethodHandle|MethodHandles)");

    /** What the invokedynamic bootstraps of lambdas, string concatenation and records bring along (not calls). */
    private static final Set<String> BOOTSTRAP_OWNERS = Set.of("java/lang/invoke/LambdaMetafactory",
            "java/lang/invoke/StringConcatFactory", "java/lang/runtime/ObjectMethods", "java/lang/runtime/SwitchBootstraps");

    private static final Pattern TYPE_IN_DESCRIPTOR = Pattern.compile("L([^;<]+)[;<]");

    @Test
    void public_classes_reference_no_backend_and_no_backend_only_jdk_api() throws Exception {
        Path root = classesRoot();
        List<Path> classes = new ArrayList<>();
        for (String pkg : PUBLIC_PACKAGES) {
            try (Stream<Path> files = Files.list(root.resolve(pkg))) {
                files.filter(f -> f.toString().endsWith(".class")).forEach(classes::add);
            }
        }
        // Honest: the walk found the public classes, nested ones included.
        assertThat(classes).extracting(f -> root.relativize(f).toString().replace('\\', '/'))
                .contains("io/mio/Poll.class", "io/mio/net/TcpStream.class", "io/mio/net/UdpSocket$Builder.class",
                        "io/mio/unix/Pipe$Sender.class", "io/mio/event/Source.class")
                .hasSizeGreaterThan(30);

        List<String> violations = new ArrayList<>();
        for (Path f : classes) {
            for (String type : forbiddenReferences(Files.readAllBytes(f))) {
                violations.add(root.relativize(f) + " -> " + type);
            }
        }
        assertThat(violations).as("public classes must reach the backends only through io.mio.internal.spi").isEmpty();
    }

    @Test
    void the_check_sees_what_a_backend_class_references() throws Exception {
        // The same check on backend classes, which do reference these: proves it would catch them in a public one.
        Path root = classesRoot();
        assertThat(forbiddenReferences(Files.readAllBytes(root.resolve("io/mio/internal/linux/LinuxUdpSocket.class"))))
                .contains("java/lang/foreign/MemorySegment", "io/mio/internal/linux/FileDesc");
        assertThat(forbiddenReferences(Files.readAllBytes(root.resolve("io/mio/internal/nio/NioTcpStream.class"))))
                .contains("jdk/net/ExtendedSocketOptions", "java/net/StandardSocketOptions", "io/mio/internal/nio/NioStream");
        assertThat(forbiddenReferences(Files.readAllBytes(root.resolve("io/mio/internal/nio/NioSelector.class"))))
                .contains("java/nio/channels/Selector", "java/nio/channels/SelectionKey");
        assertThat(forbiddenReferences(Files.readAllBytes(root.resolve("io/mio/internal/linux/FileDesc.class"))))
                .contains("java/lang/invoke/VarHandle", "java/lang/invoke/MethodHandles");
        // ... and lets through what every class has: exceptions, string concatenation, lambdas.
        assertThat(forbiddenReferences(Files.readAllBytes(root.resolve("io/mio/Registry.class")))).isEmpty();
    }

    /** The forbidden types {@code classFile} names: as classes, as owners of members, in descriptors. */
    static Set<String> forbiddenReferences(byte[] classFile) {
        ClassModel model = ClassFile.of().parse(classFile);
        Set<String> found = new TreeSet<>();
        for (PoolEntry e : model.constantPool()) {
            if (e instanceof ClassEntry c) {
                // Any indy names MethodHandles (as Lookup's outer class): java.lang.invoke is judged by its calls below.
                if (!c.asInternalName().startsWith("java/lang/invoke/")) {
                    check(c.asInternalName(), found);
                }
            } else if (e instanceof MemberRefEntry m && !BOOTSTRAP_OWNERS.contains(m.owner().asInternalName())) {
                check(m.owner().asInternalName(), found);
                checkDescriptor(m.type().stringValue(), found);
            } else if (e instanceof NameAndTypeEntry nt && !nt.type().stringValue().contains("java/lang/invoke/MethodHandles$Lookup")) {
                checkDescriptor(nt.type().stringValue(), found); // bootstrap descriptors name Lookup by necessity
            }
        }
        for (FieldModel f : model.fields()) {
            checkDescriptor(f.fieldType().stringValue(), found);
        }
        for (MethodModel m : model.methods()) {
            checkDescriptor(m.methodType().stringValue(), found);
        }
        return found;
    }

    private static void check(String internalName, Set<String> found) {
        String name = internalName;
        while (name.startsWith("[")) {
            name = name.substring(1);
        }
        if (name.startsWith("L") && name.endsWith(";")) {
            name = name.substring(1, name.length() - 1);
        }
        String outer = name.contains("$") ? name.substring(0, name.indexOf('$')) : name;
        if (FORBIDDEN.matcher(outer).matches()) {
            found.add(name);
        }
    }

    private static void checkDescriptor(String descriptor, Set<String> found) {
        Matcher m = TYPE_IN_DESCRIPTOR.matcher(descriptor);
        while (m.find()) {
            check(m.group(1), found);
        }
    }

    private static Path classesRoot() throws URISyntaxException, IOException {
        Path root = Path.of(TcpStream.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(Files.isDirectory(root.resolve("io/mio/net"))).as("compiled classes under %s", root).isTrue();
        return root;
    }
}
