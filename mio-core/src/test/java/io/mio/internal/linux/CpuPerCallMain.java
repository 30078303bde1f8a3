package io.mio.internal.linux;

import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.Token;
import io.mio.net.TcpListener;
import io.mio.net.TcpStream;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;

/**
 * Thread CPU time per call of the epoll backend's hot paths, for before/after comparisons of changes to them on a
 * shared machine: CLOCK_THREAD_CPUTIME_ID (user + kernel) counts only while the thread runs, so other load on the
 * machine changes it far less than wall time. Nine windows after two warm-ups; prints the minimum and the median.
 * Not a test (no assertion on time): {@code java --enable-native-access=ALL-UNNAMED -cp
 * mio-core/target/classes:mio-core/target/test-classes io.mio.internal.linux.CpuPerCallMain}, pinned with taskset.
 */
public final class CpuPerCallMain {
    private CpuPerCallMain() {}

    static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    static final int N = Integer.getInteger("n", 100_000);
    static final int WINDOWS = Integer.getInteger("windows", 9);

    interface Body { void run(int n) throws Exception; }

    static double[] measure(Body b, int n) throws Exception {
        b.run(n); b.run(n); // warm-up
        double[] w = new double[WINDOWS];
        for (int i = 0; i < WINDOWS; i++) {
            long t0 = MX.getCurrentThreadCpuTime();
            b.run(n);
            w[i] = (MX.getCurrentThreadCpuTime() - t0) / (double) n;
        }
        Arrays.sort(w);
        return w;
    }

    public static void main(String[] args) throws Exception {
        try (Poll poll = Poll.open(); TcpListener l = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0))) {
            TcpStream c = TcpStream.connect(l.localAddr());
            TcpStream s;
            while ((s = l.accept()) == null) Thread.sleep(1);
            TcpStream server = s;
            Thread.sleep(50);
            poll.registry().register(c, new Token(1), Interest.READABLE);
            Events ev = Events.withCapacity(64);
            poll.poll(ev, Duration.ofMillis(10));
            ByteBuffer rb = ByteBuffer.allocateDirect(64), wb = ByteBuffer.allocateDirect(64);
            byte[] arr = new byte[64];
            String[] names = {"read, would block (direct)", "poll, nothing ready, timeout 0", "write 64 B + read 64 B (direct)", "write 64 B + read 64 B (byte[])"};
            Body[] bodies = {
                n -> { for (int i = 0; i < n; i++) { rb.clear(); c.read(rb); } },
                n -> { for (int i = 0; i < n; i++) { poll.poll(ev, Duration.ZERO); } },
                n -> { for (int i = 0; i < n; i++) { wb.clear(); server.write(wb); rb.clear(); c.read(rb); } },
                n -> { for (int i = 0; i < n; i++) { server.write(arr); c.read(arr); } },
            };
            for (int k = 0; k < bodies.length; k++) {
                double[] w = measure(bodies[k], k < 2 ? N : N / 10);
                System.out.printf(java.util.Locale.ROOT, "CPU %s: min %.1f median %.1f ns/call%n", names[k], w[0], w[w.length / 2]);
            }
            c.close(); server.close();
        }
    }
}
