package io.mio.bench.jmh;

import io.mio.net.TcpStream;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * Write 64 bytes on one end of a loopback connection and read them on the other, on one thread: io.mio
 * with a heap buffer, a direct buffer and a byte[], against the JDK's non-blocking SocketChannel with heap
 * and direct buffers (the JDK copies a heap buffer through a cached direct one). Run with {@code -prof gc}
 * to see allocation per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class ReadWriteBenchmark {
    private static final int SIZE = 64;

    private TcpStream mioOut;
    private TcpStream mioIn;
    private SocketChannel jdkOut;
    private SocketChannel jdkIn;

    private final ByteBuffer heapOut = ByteBuffer.allocate(SIZE);
    private final ByteBuffer heapIn = ByteBuffer.allocate(SIZE);
    private final ByteBuffer directOut = ByteBuffer.allocateDirect(SIZE);
    private final ByteBuffer directIn = ByteBuffer.allocateDirect(SIZE);
    private final byte[] arrayOut = new byte[SIZE];
    private final byte[] arrayIn = new byte[SIZE];

    @Setup(Level.Trial)
    public void setup() throws IOException {
        TcpStream[] pair = Loopback.pairs(1);
        mioOut = pair[0];
        mioIn = pair[1];
        try (ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            jdkOut = SocketChannel.open(listener.getLocalAddress());
            jdkIn = listener.accept();
        }
        jdkOut.configureBlocking(false);
        jdkIn.configureBlocking(false);
        jdkOut.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Loopback.closeAll(mioOut, mioIn, jdkOut, jdkIn);
    }

    /** Loopback normally delivers within the write; if it did not, retry (bounded) until the bytes are there. */
    private static void check(int got, int spins) {
        if (got < 0 || spins > 1_000_000) {
            throw new IllegalStateException("read failed after " + spins + " tries");
        }
    }

    private static int expect(int n) {
        if (n != SIZE) {
            throw new IllegalStateException("moved " + n + " bytes, expected " + SIZE);
        }
        return n;
    }

    @Benchmark
    public int mio_heap() throws IOException {
        heapOut.clear();
        expect(mioOut.write(heapOut));
        heapIn.clear();
        for (int spins = 0; heapIn.hasRemaining(); spins++) {
            check(mioIn.read(heapIn), spins);
        }
        return heapIn.position();
    }

    @Benchmark
    public int mio_direct() throws IOException {
        directOut.clear();
        expect(mioOut.write(directOut));
        directIn.clear();
        for (int spins = 0; directIn.hasRemaining(); spins++) {
            check(mioIn.read(directIn), spins);
        }
        return directIn.position();
    }

    @Benchmark
    public int mio_array() throws IOException {
        expect(mioOut.write(arrayOut, 0, SIZE));
        int off = 0;
        for (int spins = 0; off < SIZE; spins++) {
            int n = mioIn.read(arrayIn, off, SIZE - off);
            check(n, spins);
            off += n;
        }
        return off;
    }

    @Benchmark
    public int jdk_heap() throws IOException {
        heapOut.clear();
        expect(jdkOut.write(heapOut));
        heapIn.clear();
        for (int spins = 0; heapIn.hasRemaining(); spins++) {
            check(jdkIn.read(heapIn), spins);
        }
        return heapIn.position();
    }

    @Benchmark
    public int jdk_direct() throws IOException {
        directOut.clear();
        expect(jdkOut.write(directOut));
        directIn.clear();
        for (int spins = 0; directIn.hasRemaining(); spins++) {
            check(jdkIn.read(directIn), spins);
        }
        return directIn.position();
    }
}
