package io.mio;

import io.mio.internal.spi.Backends;

/**
 * The implementation behind {@link Poll} and the sockets. One backend serves the whole JVM; it is fixed when the
 * first {@link Poll} or socket is created.
 *
 * <p>Choice, in order: {@link #use(Backend)} before first use; else the system property {@code io.mio.backend}
 * ({@code epoll}, {@code selector} or {@code uring}); else automatic (never {@link #URING}): {@link #EPOLL} on Linux x86-64 / aarch64 when native access
 * is enabled for the library's module ({@code --enable-native-access=io.mio}, or {@code ALL-UNNAMED} on the class
 * path), {@link #SELECTOR} everywhere else.
 */
public enum Backend {
    /** Linux epoll and socket syscalls through {@code java.lang.foreign}: edge-triggered, allocation-free. */
    EPOLL,
    /**
     * {@link java.nio.channels.Selector} and the JDK's socket channels: portable (macOS, Windows, any JVM without
     * native access); edge-triggering is emulated. Raw descriptors, {@link Interest#PRIORITY}, abstract Unix addresses,
     * {@code UnixDatagram}, {@code SourceFd} and options the JDK lacks throw {@link UnsupportedOperationException}.
     */
    SELECTOR,
    /** io.mio compiled to wasm32-wasi (mio-wasi module); never available on a JVM. */
    WASI,
    /**
     * Linux io_uring through {@code java.lang.foreign}, opt-in ({@code Backend.use(Backend.URING)} or
     * {@code -Dio.mio.backend=uring}; never chosen automatically): readiness from one multishot poll per registration,
     * submitted and reaped with the Poll's wait; the sources' I/O is the EPOLL backend's. Needs Linux 6.0 or newer on
     * x86-64 / aarch64, io_uring allowed ({@code kernel.io_uring_disabled}, seccomp) and native access.
     */
    URING;

    /** The backend in use, choosing it now (as described in the class comment) if nothing was created yet. */
    public static Backend current() {
        return Backends.current();
    }

    /**
     * Chooses the backend before first use. Choosing the backend already in use does nothing.
     *
     * @throws IllegalStateException if another backend is already in use (a Poll or socket was created, or
     *         {@link #current()} was called)
     * @throws UnsupportedOperationException if {@link #EPOLL} cannot run on this platform; if {@link #URING} cannot,
     *         with the cause named (no io_uring in the kernel, refused by {@code kernel.io_uring_disabled} or a seccomp
     *         filter, a kernel older than 6.0, no native access); and always for {@link #WASI} (a JVM never runs it)
     */
    public static void use(Backend backend) {
        Backends.use(backend);
    }

    /**
     * Whether this backend supports this platform (EPOLL: Linux x86-64 / aarch64, and it also needs native access
     * at run time; URING: the same, and io_uring usable with what the backend needs, checked once by setting up a
     * small ring; SELECTOR: always; WASI: never on a JVM).
     */
    public boolean isAvailable() {
        return Backends.isAvailable(this);
    }
}
