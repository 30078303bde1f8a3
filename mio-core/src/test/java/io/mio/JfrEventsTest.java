package io.mio;

import io.mio.net.TcpListener;
import io.mio.net.TcpStream;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.mio.Conformance.anyLocal;
import static org.assertj.core.api.Assertions.assertThat;

/** The flight recorder events: recorded to a file, read back with {@link RecordingFile}, fields checked. */
@Timeout(60)
class JfrEventsTest {
    private static final Token SERVER = new Token(7);
    private static final Token CLIENT = new Token(42);

    @Test
    void polls_and_registry_calls_are_recorded_with_their_fields(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rec.jfr");
        long threadId = Thread.currentThread().threadId();
        try (Recording recording = new Recording()) {
            recording.enable("io.mio.PollWait");
            recording.enable("io.mio.Registration");
            recording.start();
            try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(anyLocal())) {
                Events events = Events.withCapacity(8);
                poll.registry().register(listener, SERVER, Interest.READABLE);
                poll.poll(events, Duration.ofMillis(20)); // nothing ready: times out with 0 events
                try (TcpStream client = TcpStream.connect(listener.localAddr())) {
                    poll.registry().register(client, CLIENT, Interest.WRITABLE);
                    waitForEvents(poll, events);
                    poll.registry().reregister(client, CLIENT, Interest.READABLE.add(Interest.WRITABLE));
                    poll.registry().deregister(client);
                }
                try (TcpStream second = TcpStream.connect(listener.localAddr())) {
                    poll.registry().register(second, CLIENT, Interest.WRITABLE);
                    poll.poll(events, null); // the connect completes: returns without a timeout
                }
            }
            recording.stop();
            recording.dump(file);
        }

        List<RecordedEvent> recorded = RecordingFile.readAllEvents(file);
        List<RecordedEvent> waits = recorded.stream().filter(e -> e.getEventType().getName().equals("io.mio.PollWait"))
                .filter(e -> e.getThread().getJavaThreadId() == threadId).toList();
        String backend = Backend.current().name();
        assertThat(waits).as("one event per poll").hasSizeGreaterThanOrEqualTo(3);
        RecordedEvent timedOut = waits.getFirst();
        assertThat(timedOut.getInt("events")).isZero();
        assertThat(timedOut.getDuration("timeout")).isEqualTo(Duration.ofMillis(20));
        assertThat(timedOut.getString("backend")).isEqualTo(backend);
        assertThat(timedOut.getDuration()).isGreaterThanOrEqualTo(Duration.ofMillis(15));
        assertThat(timedOut.getEventType().getCategoryNames()).containsExactly("Mio");
        RecordedEvent unbounded = waits.getLast();
        assertThat(unbounded.getInt("events")).isPositive();
        assertThat(unbounded.getDuration("timeout")).isEqualTo(java.time.temporal.ChronoUnit.FOREVER.getDuration());
        assertThat(waits).anySatisfy(e -> assertThat(e.getInt("events")).isPositive());

        List<String> calls = recorded.stream().filter(e -> e.getEventType().getName().equals("io.mio.Registration"))
                .filter(e -> e.getThread().getJavaThreadId() == threadId)
                .map(e -> e.getString("operation") + " " + e.getString("source") + " " + e.getLong("token") + " "
                        + e.getString("interest"))
                .toList();
        assertThat(calls).containsExactly("register TcpListener 7 READABLE", "register TcpStream 42 WRITABLE",
                "reregister TcpStream 42 READABLE | WRITABLE", "deregister TcpStream 0 null",
                "register TcpStream 42 WRITABLE");
    }

    @Test
    void nothing_is_recorded_when_the_events_are_disabled(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("off.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("io.mio.PollWait");
            recording.disable("io.mio.Registration");
            recording.start();
            try (Poll poll = Poll.open(); TcpListener listener = TcpListener.bind(anyLocal())) {
                poll.registry().register(listener, SERVER, Interest.READABLE);
                poll.poll(Events.withCapacity(1), Duration.ZERO);
            }
            recording.stop();
            recording.dump(file);
        }
        List<String> names = RecordingFile.readAllEvents(file).stream().map(e -> e.getEventType().getName())
                .filter(n -> n.startsWith("io.mio.")).toList();
        assertThat(names).contains("io.mio.PollWait").doesNotContain("io.mio.Registration");
    }

    /**
     * The command-line switches docs/jvm-tools.md gives: JFR's settings files do not name io.mio's events, so a
     * setting needs JFR's {@code +} prefix; the same setting without it is ignored (with a warning) and every poll
     * is recorded. A child JVM polls {@value Polls#COUNT} times under each recording.
     */
    @Test
    void recording_switches_from_the_command_line_need_a_plus(@TempDir Path dir) throws Exception {
        assertThat(pollWaitsRecorded(dir, "a", "")).isEqualTo(Polls.COUNT);
        assertThat(pollWaitsRecorded(dir, "b", ",+io.mio.PollWait#enabled=false")).isZero();
        assertThat(pollWaitsRecorded(dir, "c", ",+io.mio.PollWait#threshold=10s")).isZero();
        assertThat(pollWaitsRecorded(dir, "d", ",io.mio.PollWait#enabled=false")).as("without the +")
                .isEqualTo(Polls.COUNT);
    }

    private static long pollWaitsRecorded(Path dir, String name, String settings) throws Exception {
        Path file = dir.resolve(name + ".jfr");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(javaBin, "--enable-native-access=ALL-UNNAMED",
                "-Dio.mio.backend=" + Backend.current().name().toLowerCase(java.util.Locale.ROOT),
                "-XX:StartFlightRecording:filename=" + file + settings,
                "-cp", System.getProperty("java.class.path"), Polls.class.getName());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(45, java.util.concurrent.TimeUnit.SECONDS)).as(out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        long mainThread = Long.parseLong(out.lines().filter(l -> l.startsWith("thread ")).findFirst()
                .orElseThrow(() -> new AssertionError(out)).substring("thread ".length()));
        return RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("io.mio.PollWait"))
                .filter(e -> e.getThread().getJavaThreadId() == mainThread).count();
    }

    /** The child JVM: {@value #COUNT} polls that return at once, on the backend the test runs on. */
    static final class Polls {
        static final int COUNT = 50;

        public static void main(String[] args) throws IOException {
            System.out.println("thread " + Thread.currentThread().threadId());
            try (Poll poll = Poll.open()) {
                Events events = Events.withCapacity(1);
                for (int i = 0; i < COUNT; i++) {
                    poll.poll(events, Duration.ZERO);
                }
            }
        }
    }

    private static void waitForEvents(Poll poll, Events events) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        do {
            poll.poll(events, Duration.ofMillis(100));
        } while (events.isEmpty() && System.nanoTime() < deadline);
        assertThat(events.isEmpty()).as("an event within 10 s").isFalse();
    }
}
