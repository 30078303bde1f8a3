package io.mio.net;

import io.mio.Event;
import io.mio.Events;
import io.mio.Interest;
import io.mio.Poll;
import io.mio.TestSupport;
import io.mio.Token;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class UnixListenerTest {
    @TempDir
    Path dir;

    @Test
    void accepts_two_clients_then_would_block() throws Exception {
        Path p = dir.resolve("l.sock");
        try (Poll poll = Poll.open(); UnixListener listener = UnixListener.bind(p)) {
            Events events = Events.withCapacity(8);
            poll.registry().register(listener, new Token(3), Interest.READABLE);
            assertThat(listener.localAddr().path()).contains(p);
            try (UnixStream c1 = UnixStream.connect(p); UnixStream c2 = UnixStream.connect(p)) {
                TestSupport.expectEvent(poll, events, new Token(3), Event::isReadable, Duration.ofSeconds(5));
                try (UnixStream s1 = listener.accept(); UnixStream s2 = listener.accept()) {
                    assertThat(s1).isNotNull();
                    assertThat(s2).isNotNull();
                    assertThat(listener.accept()).isNull();
                }
                // a new connection after would-block raises a new event
                try (UnixStream c3 = UnixStream.connect(p)) {
                    TestSupport.expectEvent(poll, events, new Token(3), Event::isReadable, Duration.ofSeconds(5));
                    try (UnixStream s3 = listener.accept()) {
                        assertThat(s3).isNotNull();
                    }
                }
            }
        }
    }

    @Test
    void binding_an_existing_path_fails() throws Exception {
        Path p = dir.resolve("dup.sock");
        try (UnixListener first = UnixListener.bind(p)) {
            assertThatThrownBy(() -> UnixListener.bind(p))
                    .isInstanceOf(BindException.class).hasMessageContaining("EADDRINUSE").hasMessageContaining("dup.sock");
        }
    }

    @Test
    void abstract_and_autobound_names() throws Exception {
        io.mio.TestBackend.assumeEpoll(io.mio.TestBackend.ABSTRACT);
        UnixAddress name = UnixAddress.ofAbstract("mio-java-l-" + System.nanoTime());
        try (UnixListener l = UnixListener.bind(name)) {
            assertThat(l.localAddr()).isEqualTo(name);
            assertThat(l.localAddr().isAbstract()).isTrue();
            assertThat(l.localAddr().toString()).startsWith("@mio-java-l-");
        }
        try (UnixListener auto = UnixListener.bind(UnixAddress.unnamed())) {
            assertThat(auto.localAddr().isAbstract()).as("the kernel autobinds an abstract name").isTrue();
            try (UnixStream c = UnixStream.connect(auto.localAddr())) {
                assertThat(c.peerAddr()).isEqualTo(auto.localAddr());
            }
        }
    }

    @Test
    void no_events_after_deregister_and_adopt() throws Exception {
        io.mio.TestBackend.assumeEpoll(io.mio.TestBackend.RAW_FD);
        Path p = dir.resolve("d.sock");
        try (Poll poll = Poll.open(); UnixListener original = UnixListener.bind(p)) {
            int dup = io.mio.internal.linux.Sys.dup(original.rawFd());
            try (UnixListener listener = UnixListener.fromRawFd(dup)) {
                Events events = Events.withCapacity(8);
                poll.registry().register(listener, new Token(1), Interest.READABLE);
                poll.registry().deregister(listener);
                try (UnixStream c = UnixStream.connect(p)) {
                    TestSupport.expectNoEvent(poll, events, new Token(1), Duration.ofMillis(150));
                    try (UnixStream s = listener.accept()) {
                        assertThat(s).isNotNull();
                    }
                }
            }
        }
    }

    @Test
    void bind_failures_name_the_path_and_the_errno() throws Exception {
        assertThatThrownBy(() -> UnixListener.bind(dir.resolve("no-such-dir").resolve("x.sock")))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("ENOENT").hasMessageContaining("no-such-dir");
        Path file = java.nio.file.Files.writeString(dir.resolve("plain"), "x");
        assertThatThrownBy(() -> UnixListener.bind(file.resolve("x.sock")))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("ENOTDIR");
        assertThatThrownBy(() -> UnixAddress.of(Path.of("")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
    }

    @Test
    void abstract_names_may_hold_any_bytes() throws Exception {
        io.mio.TestBackend.assumeEpoll(io.mio.TestBackend.ABSTRACT);
        byte[] raw = {0, 1, 'm', 'i', 'o', 0, (byte) 0xFF, (byte) System.nanoTime()};
        UnixAddress name = UnixAddress.ofAbstract(raw);
        try (UnixListener l = UnixListener.bind(name); UnixStream c = UnixStream.connect(name)) {
            assertThat(l.localAddr()).isEqualTo(name);
            assertThat(l.localAddr().abstractName()).hasValueSatisfying(b -> assertThat(b).isEqualTo(raw));
            assertThat(c.peerAddr()).isEqualTo(name);
            assertThat(name.toString()).startsWith("@\\x00\\x01mio\\x00\\xff");
        }
    }
}
