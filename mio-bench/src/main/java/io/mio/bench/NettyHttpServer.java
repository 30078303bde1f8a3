package io.mio.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
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
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP benchmark's Netty peer: {@code GET /plaintext} and {@code GET /json} on Netty 4.2's
 * {@link HttpServerCodec} and native epoll transport, written as the TechEmpower benchmark's Netty entry is: one
 * event-loop thread per available processor (accepting and serving), answers written from shared direct buffers
 * ({@code duplicate()}), flushed once per read burst ({@code channelReadComplete}, which also batches pipelined
 * answers), a Date header formatted once a second by a scheduled task. Like the io.mio example, the JSON body is
 * preformatted bytes, not an object serialized per request. Request headers are validated (Netty's default), as
 * the io.mio example validates them.
 *
 * <p>Usage: {@code NettyHttpServer [port]}; prints {@code READY <port>}.
 */
public final class NettyHttpServer {
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static final ByteBuf PLAINTEXT = constant("Hello, World!");
    private static final ByteBuf JSON = constant("{\"message\":\"Hello, World!\"}");
    private static final ByteBuf NOT_FOUND = constant("Not found\n");
    private static final AsciiString SERVER = AsciiString.cached("Netty");
    private static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain");
    private static final AsciiString APPLICATION_JSON = AsciiString.cached("application/json");
    /** These headers are constants: validating them per answer would be wasted work. */
    private static final DefaultHttpHeadersFactory RESPONSE_HEADERS =
            DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    /** {@code Date}'s value, replaced once a second. */
    private static volatile AsciiString date = now();

    private NettyHttpServer() {
    }

    private static ByteBuf constant(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
        return Unpooled.unreleasableBuffer(Unpooled.directBuffer(bytes.length).writeBytes(bytes)).asReadOnly();
    }

    private static AsciiString now() {
        return new AsciiString(IMF_FIXDATE.format(Instant.now()));
    }

    @ChannelHandler.Sharable
    private static final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpRequest request) {
                    answer(ctx, request);
                }
                // HttpContent parts (a request body) are dropped: these routes read none.
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private static void answer(ChannelHandlerContext ctx, HttpRequest request) {
            boolean get = request.method().equals(HttpMethod.GET);
            String uri = request.uri();
            ByteBuf body;
            AsciiString type = TEXT_PLAIN;
            HttpResponseStatus status = HttpResponseStatus.OK;
            if (get && uri.equals("/plaintext")) {
                body = PLAINTEXT;
            } else if (get && uri.equals("/json")) {
                body = JSON;
                type = APPLICATION_JSON;
            } else {
                body = NOT_FOUND;
                status = HttpResponseStatus.NOT_FOUND;
            }
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body.duplicate(),
                    RESPONSE_HEADERS, DefaultHttpHeadersFactory.trailersFactory());
            response.headers()
                    .set(HttpHeaderNames.SERVER, SERVER)
                    .set(HttpHeaderNames.DATE, date)
                    .set(HttpHeaderNames.CONTENT_TYPE, type)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            if (!HttpUtil.isKeepAlive(request)) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.write(response).addListener(ChannelFutureListener.CLOSE);
            } else {
                if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
                    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                }
                ctx.write(response, ctx.voidPromise());
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // reset by the peer, or a request the codec rejected: drop the connection
        }
    }

    public static void main(String[] args) throws Exception {
        Epoll.ensureAvailability();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                EpollIoHandler.newFactory());
        try {
            group.scheduleAtFixedRate(() -> date = now(), 1, 1, TimeUnit.SECONDS);
            Handler handler = new Handler();
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(EpollServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, ServerSupport.BACKLOG)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), handler);
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
