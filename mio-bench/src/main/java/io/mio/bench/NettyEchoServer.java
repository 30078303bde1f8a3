package io.mio.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;

import java.net.InetSocketAddress;

/**
 * Echo server on Netty 4.2 with the native epoll transport and a single event-loop thread that both accepts
 * and serves. The handler writes every inbound buffer back and flushes once per read burst
 * ({@code channelReadComplete}), Netty's idiomatic echo. TCP_NODELAY is set on accepted channels.
 *
 * <p>Usage: {@code NettyEchoServer [port]}; prints {@code READY <port>}.
 */
public final class NettyEchoServer {
    /** Writes every inbound buffer back, flushes per read burst; shared with {@link NettyUringEchoServer}. */
    @ChannelHandler.Sharable
    static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // reset by the peer: drop the connection
        }
    }

    public static void main(String[] args) throws Exception {
        Epoll.ensureAvailability();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            Echo echo = new Echo();
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(EpollServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, ServerSupport.BACKLOG)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(echo)
                    .bind(new InetSocketAddress("127.0.0.1", ServerSupport.port(args)))
                    .sync()
                    .channel();
            ServerSupport.ready(((InetSocketAddress) channel.localAddress()).getPort());
            channel.closeFuture().sync();
        } finally {
            group.shutdownGracefully();
        }
    }
}
