/**
 * The event loop: {@link io.mio.Poll} waits for readiness events on the sources registered with its
 * {@link io.mio.Registry}, each under a {@link io.mio.Token} of the caller's and for an {@link io.mio.Interest};
 * {@link io.mio.Poll#poll} fills {@link io.mio.Events} with {@link io.mio.Event}s, and a {@link io.mio.Waker}
 * wakes a blocked poll from another thread.
 *
 * <p>Start here: {@code Poll.open()}, register a source (a {@link io.mio.net.TcpListener}, a
 * {@link io.mio.net.TcpStream}, ...), call {@code poll} in a loop, and on each event perform the operation
 * until it would block. Readiness is edge-triggered: an event is reported once, and "would block" is a return
 * value ({@code 0}, {@code null}, {@code WOULD_BLOCK}), never an exception. {@code Poll} is polled by one
 * thread at a time; a {@code Registry} may be used from any thread, and once {@code deregister} (or the
 * source's {@code close}) returns, the source's token is never reported again. Polling, iterating events and
 * moving bytes allocate nothing in steady state on the EPOLL backend.
 *
 * <p>{@link io.mio.Backend} tells which implementation serves this JVM (EPOLL over {@code java.lang.foreign},
 * the portable SELECTOR over {@code java.nio}, or WASI when compiled to wasm32-wasi).
 */
package io.mio;
