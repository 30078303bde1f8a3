/**
 * Mio for Java: non-blocking I/O in the shape of Rust's mio.
 *
 * <p>{@link io.mio.Poll}, {@link io.mio.Registry}, {@link io.mio.Events} and {@link io.mio.Waker} in
 * {@code io.mio}; the {@link io.mio.event.Source} interface in {@code io.mio.event}; sockets in
 * {@code io.mio.net}. The Linux backend calls epoll and the socket syscalls through
 * {@code java.lang.foreign}: run with {@code --enable-native-access=io.mio} (or {@code ALL-UNNAMED} on the
 * class path).
 */
module io.mio {
    exports io.mio;
    exports io.mio.event;
    exports io.mio.net;
    exports io.mio.unix;

    requires jdk.net; // TCP keepalive timing and quick-ack on the SELECTOR backend
    requires jdk.jfr; // the io.mio.PollWait and io.mio.Registration events

    exports io.mio.internal.jfr to jdk.jfr; // the recorder instruments and reads the event classes
}
