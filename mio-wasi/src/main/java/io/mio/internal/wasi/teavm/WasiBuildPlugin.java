package io.mio.internal.wasi.teavm;

import org.teavm.model.AnnotationHolder;
import org.teavm.model.ClassHolder;
import org.teavm.model.ClassHolderTransformer;
import org.teavm.model.ClassHolderTransformerContext;
import org.teavm.model.ElementModifier;
import org.teavm.model.MethodDescriptor;
import org.teavm.model.MethodHolder;
import org.teavm.model.emit.ProgramEmitter;
import org.teavm.vm.spi.TeaVMHost;
import org.teavm.vm.spi.TeaVMPlugin;

/**
 * A TeaVM build plugin (loaded from {@code META-INF/services}; never part of a guest) that works around two
 * faults of TeaVM 0.13.1's WASI target for io.mio programs:
 *
 * <ul>
 *   <li>It marks io.mio's classes that have a static initialiser {@code @StaticInit}, so TeaVM initialises them
 *       at start-up instead of checking at each first use. TeaVM emits an invalid function (a value-stack
 *       underflow in the exception dispatch that follows a class-initialisation check inside a {@code try}
 *       block) for ordinary code such as {@code try (Poll p = ...; TcpListener l = ...) {
 *       registry.register(l, t, Interest.READABLE); ... }}. io.mio's initialisers only build constants and
 *       install internal accessors, so running them first changes nothing a program can see.</li>
 *   <li>{@code System.nanoTime} imports {@code teavm.nanoTime}, which no WASI host (WasmEdge, mio-wasm)
 *       provides, so a guest that reads the clock could not even be instantiated. The import is replaced by
 *       {@link io.mio.internal.wasi.WasiClock}, WASI's {@code clock_time_get} on the monotonic clock.</li>
 * </ul>
 */
public final class WasiBuildPlugin implements TeaVMPlugin, ClassHolderTransformer {
    private static final MethodDescriptor CLINIT = new MethodDescriptor("<clinit>", void.class);
    private static final MethodDescriptor NANO_TIME_WASM = new MethodDescriptor("nanoTimeWasm", double.class);
    private static final String STATIC_INIT = "org.teavm.interop.StaticInit";
    private static final String IMPORT = "org.teavm.interop.Import";

    @Override
    public void install(TeaVMHost host) {
        host.add(this);
    }

    @Override
    public void transformClass(ClassHolder cls, ClassHolderTransformerContext context) {
        String name = cls.getName();
        if (isIoMio(name) && cls.getMethod(CLINIT) != null && cls.getAnnotations().get(STATIC_INIT) == null) {
            cls.getAnnotations().add(new AnnotationHolder(STATIC_INIT));
        }
        if (name.equals("java.lang.System") || name.equals("org.teavm.classlib.java.lang.TSystem")) {
            MethodHolder nanoTime = cls.getMethod(NANO_TIME_WASM);
            if (nanoTime != null && nanoTime.hasModifier(ElementModifier.NATIVE)) {
                nanoTime.getModifiers().remove(ElementModifier.NATIVE);
                nanoTime.getAnnotations().remove(IMPORT);
                ProgramEmitter pe = ProgramEmitter.create(nanoTime, context.getHierarchy());
                pe.invoke("io.mio.internal.wasi.WasiClock", "monotonicMillis", org.teavm.model.ValueType.DOUBLE)
                        .returnValue();
            }
        }
    }

    private static boolean isIoMio(String name) {
        // The public API and the WASI backend; the JVM backends are never in a guest.
        return name.startsWith("io.mio.") && !name.startsWith("io.mio.internal.linux.")
                && !name.startsWith("io.mio.internal.nio.") && !name.startsWith("io.mio.internal.uring.");
    }
}
