/**
 * Non-blocking sockets in mio's shape: {@link io.mio.net.TcpListener}, {@link io.mio.net.TcpStream},
 * {@link io.mio.net.TcpSocket} (options before connect or listen), {@link io.mio.net.UdpSocket}, and the Unix
 * domain sockets {@link io.mio.net.UnixListener}, {@link io.mio.net.UnixStream} and
 * {@link io.mio.net.UnixDatagram} with their {@link io.mio.net.UnixAddress}.
 *
 * <p>Every socket is created non-blocking and close-on-exec and is a {@link io.mio.event.Source}. The
 * byte-moving methods follow java.nio's convention (bytes moved, {@code 0} when the call would block, {@code -1}
 * at end of stream; datagram calls return {@code UdpSocket.WOULD_BLOCK}); a
 * {@link io.mio.net.SocketAddressHolder} receives and names datagram peers without allocating. All methods are
 * thread-safe; {@code close} may race with calls on other threads, which then finish on the descriptor they
 * started with or throw {@link java.nio.channels.ClosedChannelException}. Failed system calls throw the JDK's
 * socket exceptions ({@link java.net.ConnectException}, {@link java.net.BindException}, ...) with the errno in
 * the message.
 */
package io.mio.net;
