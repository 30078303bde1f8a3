package io.mio.wasm;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetPolicyTest {
    static InetSocketAddress a(String ip, int port) {
        return new InetSocketAddress(InetAddress.ofLiteral(ip), port);
    }

    @Test
    void deny_all_denies_everything() {
        NetPolicy p = NetPolicy.denyAll();
        assertThat(p.allowsBind(a("127.0.0.1", 8080))).isFalse();
        assertThat(p.allowsConnect(a("127.0.0.1", 80))).isFalse();
        assertThat(p.allowsResolve("localhost")).isFalse();
        assertThat(p.maxSockets()).isEqualTo(processOpenFileLimit());
    }

    /** The process's RLIMIT_NOFILE soft limit, at least 1024, read independently from /proc/self/limits. */
    static int processOpenFileLimit() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    long n = soft.equals("unlimited") ? Integer.MAX_VALUE : Long.parseLong(soft);
                    return (int) Math.max(1024, Math.min(n, Integer.MAX_VALUE));
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new AssertionError("no 'Max open files' in /proc/self/limits");
    }

    @Test
    void the_default_socket_cap_fits_a_server_and_an_explicit_one_stays() {
        assertThat(NetPolicy.builder().build().maxSockets()).as("the process's open-file limit, at least 1024")
                .isEqualTo(processOpenFileLimit()).isGreaterThanOrEqualTo(1024);
        assertThat(NetPolicy.allowAll().maxSockets()).isEqualTo(processOpenFileLimit());
        assertThat(NetPolicy.builder().maxSockets(64).build().maxSockets()).isEqualTo(64);
    }

    @Test
    void address_patterns_match_hosts_networks_and_port_ranges() {
        NetPolicy p = NetPolicy.builder()
                .allowBind("127.0.0.1:8000-8099")
                .allowBind("[::1]:*")
                .allowConnect("10.0.0.0/8:443")
                .allowConnect("localhost:5000")
                .allowConnect("*:53")
                .build();
        assertThat(p.allowsBind(a("127.0.0.1", 8000))).isTrue();
        assertThat(p.allowsBind(a("127.0.0.1", 8099))).isTrue();
        assertThat(p.allowsBind(a("127.0.0.1", 8100))).isFalse();
        assertThat(p.allowsBind(a("127.0.0.1", 0))).as("ephemeral port needs * or a range with 0").isFalse();
        assertThat(p.allowsBind(a("127.0.0.2", 8000))).isFalse();
        assertThat(p.allowsBind(a("::1", 0))).isTrue();
        assertThat(p.allowsBind(a("::2", 1))).isFalse();
        assertThat(p.allowsConnect(a("10.200.3.4", 443))).isTrue();
        assertThat(p.allowsConnect(a("11.0.0.1", 443))).isFalse();
        assertThat(p.allowsConnect(a("10.0.0.1", 444))).isFalse();
        assertThat(p.allowsConnect(a("127.9.9.9", 5000))).as("localhost = loopback").isTrue();
        assertThat(p.allowsConnect(a("::1", 5000))).isTrue();
        assertThat(p.allowsConnect(a("8.8.8.8", 53))).isTrue();
        assertThat(p.allowsConnect(a("8.8.8.8", 54))).isFalse();
    }

    @Test
    void prefixes_that_do_not_end_on_a_byte() {
        NetPolicy p = NetPolicy.builder().allowConnect("192.168.4.0/22:*").build();
        assertThat(p.allowsConnect(a("192.168.7.255", 1))).isTrue();
        assertThat(p.allowsConnect(a("192.168.8.0", 1))).isFalse();
        assertThat(p.allowsConnect(a("192.168.3.255", 1))).isFalse();
    }

    @Test
    void name_patterns() {
        NetPolicy p = NetPolicy.builder().allowResolve("example.com").allowResolve("*.svc.local").build();
        assertThat(p.allowsResolve("example.com")).isTrue();
        assertThat(p.allowsResolve("EXAMPLE.com")).isTrue();
        assertThat(p.allowsResolve("www.example.com")).isFalse();
        assertThat(p.allowsResolve("db.svc.local")).isTrue();
        assertThat(p.allowsResolve("svc.local")).isFalse();
        assertThat(NetPolicy.builder().allowResolve("*").build().allowsResolve("anything.at.all")).isTrue();
    }

    @Test
    void bad_patterns_are_rejected() {
        for (String bad : List.of("127.0.0.1", "127.0.0.1:", "127.0.0.1:70000", "1.2.3.4:9-3", "::1:80",
                "[::1]80", "host.example:80", "1.2.3.4/33:1", "*:x")) {
            assertThatThrownBy(() -> NetPolicy.builder().allowBind(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> NetPolicy.builder().maxSockets(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void a_refused_call_is_logged() throws Exception {
        List<LogRecord> records = new ArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        NetPolicy.LOG.addHandler(h);
        try (HostFixture f = new HostFixture(NetPolicy.denyAll())) {
            int fd = f.open();
            assertThat(f.host.sockConnect(f.m, fd, f.addr(HostFixture.loopback()), 9, false))
                    .isEqualTo(WasiErrno.PERM);
        } finally {
            NetPolicy.LOG.removeHandler(h);
        }
        assertThat(records).anySatisfy(r -> {
            assertThat(r.getLevel()).isEqualTo(Level.WARNING);
            assertThat(r.getMessage()).contains("sock_connect").contains("127.0.0.1:9").contains("refused");
        });
    }

    @Test
    void devices_are_allowed_by_name_or_all_with_a_star() {
        assertThat(NetPolicy.denyAll().allowsDevice("eth0")).isFalse();
        NetPolicy p = NetPolicy.builder().allowDevice("eth0").build();
        assertThat(p.allowsDevice("eth0")).isTrue();
        assertThat(p.allowsDevice("eth1")).isFalse();
        assertThat(NetPolicy.builder().allowDevice("*").build().allowsDevice("wg0")).isTrue();
        for (String bad : new String[] {"", "a-name-longer-than-15", "eth 0", "../x"}) {
            assertThatThrownBy(() -> NetPolicy.builder().allowDevice(bad)).as("'%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("device name");
        }
    }
}
