package io.mio.bench;

import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The pieces of a round trip's user-space work, timed one at a time: FFM downcalls of a libc function that
 * makes no syscall (critical or not, with or without errno capture), a ThreadLocal lookup, and the would-block
 * paths of io.mio and java.nio (a read on an empty socket, a poll with nothing ready; these include their
 * syscall). Prints {@code TIME <ns per call> <piece>} lines, best of 5 windows of {@link #ITERATIONS} calls after
 * a warm-up; {@link UserCpu} runs it pinned to one CPU and puts the lines in its report.
 */
public final class CallCost {
    static final int ITERATIONS = 200_000;

    private CallCost() {
    }

    interface Piece {
        long run(int n) throws IOException;
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MemorySegment LABS = LINKER.defaultLookup().find("labs").orElseThrow();
    private static final FunctionDescriptor LONG_LONG = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG);
    private static final MethodHandle PLAIN = LINKER.downcallHandle(LABS, LONG_LONG);
    private static final MethodHandle PLAIN_ERRNO = LINKER.downcallHandle(LABS, LONG_LONG,
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle CRITICAL = LINKER.downcallHandle(LABS, LONG_LONG, Linker.Option.critical(false));
    private static final MethodHandle CRITICAL_ERRNO = LINKER.downcallHandle(LABS, LONG_LONG,
            Linker.Option.captureCallState("errno"), Linker.Option.critical(false));
    private static final MethodHandle RAW_RECV = LINKER.downcallHandle(LINKER.defaultLookup().find("recv").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), Linker.Option.critical(false));
    private static final MethodHandle RAW_EPOLL_CREATE1 = LINKER.downcallHandle(
            LINKER.defaultLookup().find("epoll_create1").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle RAW_EPOLL_WAIT = LINKER.downcallHandle(
            LINKER.defaultLookup().find("epoll_wait").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT));
    private static final int MSG_DONTWAIT = 0x40;
    private static final ThreadLocal<long[]> LOCAL = ThreadLocal.withInitial(() -> new long[1]);

    public static void main(String[] args) throws Throwable {
        MemorySegment errnoState = java.lang.foreign.Arena.global().allocate(Linker.Option.captureStateLayout());
        try (Poll poll = Poll.open();
             TcpListener listener = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0));
             TcpStream stream = TcpStream.connect(listener.localAddr());
             Selector selector = Selector.open();
             ServerSocketChannel nioListener = ServerSocketChannel.open()) {
            poll.registry().register(stream, new Token(1), Interest.READABLE);
            Events events = Events.withCapacity(64);
            TcpStream accepted = null;
            for (int i = 0; i < 1000 && accepted == null; i++) {
                accepted = listener.accept();
                Thread.sleep(1);
            }
            if (accepted == null) {
                throw new IOException("no connection to accept");
            }
            poll.poll(events, Duration.ofMillis(100)); // the writable edge of the new connection
            nioListener.bind(new InetSocketAddress("127.0.0.1", 0));
            SocketChannel nioClient = SocketChannel.open(nioListener.getLocalAddress());
            SocketChannel nioServer = nioListener.accept();
            nioClient.configureBlocking(false);
            nioClient.register(selector, SelectionKey.OP_READ);
            ByteBuffer direct = ByteBuffer.allocateDirect(64);
            TcpStream reader = stream;

            int fd = reader.rawFd();
            long buf = MemorySegment.ofBuffer(direct).address();
            int epfd = (int) RAW_EPOLL_CREATE1.invokeExact(0);
            long epollEvents = java.lang.foreign.Arena.global().allocate(12L * 64, 8).address();

            Map<String, Piece> pieces = new LinkedHashMap<>();
            pieces.put("empty loop", n -> {
                long s = 0;
                for (int i = 0; i < n; i++) {
                    s += i ^ (s >>> 3);
                }
                return s;
            });
            pieces.put("downcall, critical", n -> {
                long s = 0;
                for (int i = 0; i < n; i++) {
                    s += invoke(CRITICAL, -i);
                }
                return s;
            });
            pieces.put("downcall, critical + errno capture", n -> {
                long s = 0;
                for (int i = 0; i < n; i++) {
                    s += invokeWithState(CRITICAL_ERRNO, errnoState, -i);
                }
                return s;
            });
            pieces.put("downcall, thread-state transition", n -> {
                long s = 0;
                for (int i = 0; i < n; i++) {
                    s += invoke(PLAIN, -i);
                }
                return s;
            });
            pieces.put("downcall, thread-state transition + errno capture", n -> {
                long s = 0;
                for (int i = 0; i < n; i++) {
                    s += invokeWithState(PLAIN_ERRNO, errnoState, -i);
                }
                return s;
            });
            pieces.put("ThreadLocal.get", n -> {
                long s = 0;
                for (int i = 0; i < n; i++) {
                    s += LOCAL.get()[0] + i;
                }
                return s;
            });
            pieces.put("bare recv downcall (critical, no errno), would block", n -> {
                long s = 0;
                for (int i = 0; i < n; i++) {
                    s += rawRecv(fd, buf, 64, MSG_DONTWAIT);
                }
                return s;
            });
            pieces.put("io.mio TcpStream.read, would block", n -> {
                long s = 0;
                for (int i = 0; i < n; i++) {
                    direct.clear();
                    s += reader.read(direct);
                }
                return s;
            });
            pieces.put("java.nio SocketChannel.read, would block", n -> {
                long s = 0;
                for (int i = 0; i < n; i++) {
                    direct.clear();
                    s += nioClient.read(direct);
                }
                return s;
            });
            pieces.put("bare epoll_wait downcall (no errno), nothing ready, timeout 0", n -> {
                long s = 0;
                for (int i = 0; i < n; i++) {
                    s += rawEpollWait(epfd, epollEvents, 64, 0);
                }
                return s;
            });
            pieces.put("io.mio Poll.poll, nothing ready, timeout 0", n -> {
                long s = 0;
                for (int i = 0; i < n; i++) {
                    poll.poll(events, Duration.ZERO);
                    s += events.size();
                }
                return s;
            });
            pieces.put("java.nio Selector.selectNow, nothing ready", n -> {
                long s = 0;
                for (int i = 0; i < n; i++) {
                    s += selector.selectNow();
                }
                return s;
            });

            long sink = 0;
            for (Map.Entry<String, Piece> e : pieces.entrySet()) {
                for (int i = 0; i < 20; i++) {
                    sink += e.getValue().run(ITERATIONS / 10); // warm-up: the JIT compiles the loop
                }
                // time per call, best of 5 windows
                double best = Double.MAX_VALUE;
                for (int w = 0; w < 5; w++) {
                    long t0 = System.nanoTime();
                    sink += e.getValue().run(ITERATIONS);
                    best = Math.min(best, (System.nanoTime() - t0) / (double) ITERATIONS);
                }
                System.out.printf(Locale.ROOT, "TIME %.1f %s%n", best, e.getKey());
                System.out.flush();
            }
            accepted.close();
            nioClient.close();
            nioServer.close();
            System.out.println("DONE " + sink);
        }
    }

    private static long rawRecv(int fd, long buf, long len, int flags) {
        try {
            return (long) RAW_RECV.invokeExact(fd, buf, len, flags);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static int rawEpollWait(int epfd, long events, int max, int timeout) {
        try {
            return (int) RAW_EPOLL_WAIT.invokeExact(epfd, events, max, timeout);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static long invoke(MethodHandle h, long v) {
        try {
            return (long) h.invokeExact(v);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static long invokeWithState(MethodHandle h, MemorySegment state, long v) {
        try {
            return (long) h.invokeExact(state, v);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
