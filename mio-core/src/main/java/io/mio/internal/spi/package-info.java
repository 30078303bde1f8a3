/**
 * The backend boundary (not exported). {@link io.mio.internal.spi.Backends} chooses the backend once per JVM;
 * {@link io.mio.internal.spi.SelectorSpi} is what a {@code Poll} and a {@code Waker} need from it.
 *
 * <p>Sources are not behind an interface: each public socket type holds either the epoll backend's descriptor
 * ({@code FileDesc}, with the syscall code in the public class as before) or the selector backend's handle
 * ({@code io.mio.internal.nio}), and branches on a null check. That keeps the epoll hot paths exactly as they were
 * (allocation-free, no dispatch; {@code Poll} and {@code Waker} also call the epoll selector directly), and a
 * source's registration goes to its own backend's selector through {@code Bridge.epoll} / {@code Bridge.nio},
 * which reject a Poll of the other backend with {@link IllegalArgumentException}.
 */
package io.mio.internal.spi;
