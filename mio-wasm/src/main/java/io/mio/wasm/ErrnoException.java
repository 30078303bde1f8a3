package io.mio.wasm;

/** Ends a host function early with a WASI errno (bad pointer, bad fd, ...). No stack trace: it is control flow. */
final class ErrnoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int errno;

    ErrnoException(int errno) {
        super("WASI errno " + errno, null, false, false);
        this.errno = errno;
    }
}
