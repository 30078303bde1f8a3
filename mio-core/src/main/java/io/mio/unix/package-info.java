/**
 * Unix-only sources: {@link io.mio.unix.Pipe} (a non-blocking pipe, and pipes for a child process's standard
 * streams) and {@link io.mio.unix.SourceFd} (register a descriptor this library did not create). On the
 * SELECTOR and WASI backends these throw {@link UnsupportedOperationException} where they cannot be offered,
 * naming the limit.
 */
package io.mio.unix;
