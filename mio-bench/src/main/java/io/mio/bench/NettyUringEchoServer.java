package io.mio.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringAdaptiveBufferRingAllocator;
import io.netty.channel.uring.IoUringBufferRingConfig;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoHandlerConfig;
import io.netty.channel.uring.IoUringServerSocketChannel;

import java.net.InetSocketAddress;

/**
 * Echo server on Netty 4.2's io_uring transport ({@code netty-transport-native-io_uring}, linux-x86_64), shaped like
 * {@link NettyEchoServer}: one event-loop thread that accepts and serves, the same handler (write back every inbound
 * buffer, flush per read burst), TCP_NODELAY on accepted channels. The io_uring handler keeps Netty's defaults (no
 * provided buffer ring configured, so Netty's own receive buffers); with {@code bufring}, the accepted channels
 * receive into a provided buffer ring of {@value #RING_BUFFERS} buffers (group {@value #BUFFER_GROUP}, Netty's
 * adaptive buffer sizes), which lets Netty use multishot receives.
 *
 * <p>Usage: {@code NettyUringEchoServer [bufring] [port]}; prints {@code READY <port>}. Fails at start, with Netty's
 * reason, where io_uring is unavailable (old kernel, {@code kernel.io_uring_disabled}, seccomp), or with
 * {@code bufring} where the kernel cannot register buffer rings.
 */
public final class NettyUringEchoServer {
    private NettyUringEchoServer() {
    }

    static final short BUFFER_GROUP = 1;
    static final short RING_BUFFERS = 4096;

    private static String problem;
    private static boolean probed;

    /**
     * Why Netty's io_uring transport cannot run in this JVM, or null; loads its native library on first call and
     * keeps the answer. Thread-safe, does not block beyond that load.
     */
    static synchronized String problem() {
        if (!probed) {
            probed = true;
            try {
                problem = IoUring.isAvailable() ? null
                        : "Netty's io_uring transport is unavailable here: " + IoUring.unavailabilityCause();
            } catch (LinkageError e) {
                problem = "Netty's io_uring transport could not be loaded: " + e;
            }
        }
        return problem;
    }

    /**
     * Serves until its standard input closes (the harness's stop), blocking the calling thread; one event-loop
     * thread does the work.
     *
     * @throws UnsatisfiedLinkError where Netty's io_uring transport is unavailable (its cause attached)
     * @throws IllegalStateException with {@code bufring}, where the kernel cannot register buffer rings
     * @throws Exception when the bind fails (e.g. the port is taken)
     */
    public static void main(String[] args) throws Exception {
        IoUring.ensureAvailability();
        boolean bufferRing = args.length > 0 && args[0].equals("bufring");
        if (bufferRing && !IoUring.isRegisterBufferRingSupported()) {
            throw new IllegalStateException("this kernel cannot register io_uring buffer rings (Linux 5.19 needed)");
        }
        IoHandlerFactory handler = bufferRing
                ? IoUringIoHandler.newFactory(new IoUringIoHandlerConfig().setBufferRingConfig(
                        IoUringBufferRingConfig.builder().bufferGroupId(BUFFER_GROUP).bufferRingSize(RING_BUFFERS)
                                .batchSize(64).allocator(new IoUringAdaptiveBufferRingAllocator()).build()))
                : IoUringIoHandler.newFactory();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, handler);
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(group)
                    .channel(IoUringServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, ServerSupport.BACKLOG)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new NettyEchoServer.Echo());
            if (bufferRing) {
                bootstrap.childOption(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID, BUFFER_GROUP);
            }
            String[] portArg = bufferRing ? java.util.Arrays.copyOfRange(args, 1, args.length) : args;
            Channel channel = bootstrap
                    .bind(new InetSocketAddress("127.0.0.1", ServerSupport.port(portArg)))
                    .sync()
                    .channel();
            ServerSupport.ready(((InetSocketAddress) channel.localAddress()).getPort());
            channel.closeFuture().sync();
        } finally {
            group.shutdownGracefully();
        }
    }
}
