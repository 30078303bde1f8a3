/**
 * The portable backend (not exported): {@link java.nio.channels.Selector} with {@code SocketChannel},
 * {@code ServerSocketChannel}, {@code DatagramChannel}, the JDK's Unix-domain channels and
 * {@link java.nio.channels.Pipe}. {@link io.mio.internal.nio.NioProvider} creates its sources, one class per SPI
 * interface ({@code NioTcpStream}, {@code NioUdpSocket}, ...; {@code NioSource} is their shared registration and
 * close). {@link io.mio.internal.nio.NioSelector} emulates mio's edge-triggered reporting over the Selector's
 * level-triggered readiness; {@link io.mio.internal.nio.NioHandle} holds one source's channel and registration. See
 * the README's platform section for what differs from epoll.
 */
package io.mio.internal.nio;
