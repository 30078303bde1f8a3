package io.mio.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import java.net.InetSocketAddress;

/**
 * TLS echo server on Netty 4.2: {@link NettyEchoServer} (native epoll transport, one event-loop thread) with an
 * {@code SslHandler} in front of the echo handler, on the JDK's SSLEngine ({@link SslProvider#JDK}), with the same
 * kind of key as io.mio's TLS server. Netty's idiomatic TLS echo: write every decrypted buffer back, flush once per
 * read burst.
 *
 * <p>Usage: {@code NettyTlsEchoServer [port]}; prints {@code READY <port>}.
 */
public final class NettyTlsEchoServer {
    @ChannelHandler.Sharable
    private static final class Echo extends ChannelInboundHandlerAdapter {
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
            ctx.close(); // reset by the peer, or a failed handshake: drop the connection
        }
    }

    public static void main(String[] args) throws Exception {
        Epoll.ensureAvailability();
        SslContext ssl = SslContextBuilder.forServer(Tls.serverKeys())
                .sslProvider(SslProvider.JDK)
                .protocols(Tls.PROTOCOL)
                .build();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            Echo echo = new Echo();
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(EpollServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, ServerSupport.BACKLOG)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(ssl.newHandler(ch.alloc()), echo);
                        }
                    })
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
