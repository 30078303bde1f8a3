package org.teavm.classlib.java.net;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The wasm build's java.net substitutes behave as the JDK's classes for what io.mio uses: literals parse to
 * the same bytes, print the same text, compare the same. Run on the JVM against the JDK itself.
 */
class TInetAddressTest {
    @Provide
    Arbitrary<String> ipv4Literals() {
        return Arbitraries.integers().between(0, 255).list().ofSize(4)
                .map(l -> l.get(0) + "." + l.get(1) + "." + l.get(2) + "." + l.get(3));
    }

    @Provide
    Arbitrary<String> ipv6Literals() {
        Arbitrary<List<Integer>> groups = Arbitraries.integers().between(0, 0xffff).list().ofSize(8);
        Arbitrary<Integer> gapAt = Arbitraries.integers().between(-1, 7);
        Arbitrary<Integer> gapLen = Arbitraries.integers().between(1, 8);
        return Combinators.combine(groups, gapAt, gapLen).as((g, at, len) -> {
            if (at < 0) {
                return String.join(":", g.stream().map(Integer::toHexString).toList());
            }
            int end = Math.min(8, at + len);
            String head = String.join(":", g.subList(0, at).stream().map(Integer::toHexString).toList());
            String tail = String.join(":", g.subList(end, 8).stream().map(Integer::toHexString).toList());
            return head + "::" + tail; // zeros elided, whatever the groups held: the parse must fill them in
        });
    }

    @Property(tries = 300)
    void ipv4_literals_parse_and_print_as_the_jdk_does(@ForAll("ipv4Literals") String literal) throws Exception {
        assertSameAsJdk(literal);
    }

    @Property(tries = 300)
    void ipv6_literals_parse_and_print_as_the_jdk_does(@ForAll("ipv6Literals") String literal) throws Exception {
        assertSameAsJdk(literal);
        assertSameAsJdk("[" + literal + "]");
    }

    private static void assertSameAsJdk(String literal) throws Exception {
        InetAddress jdk = InetAddress.getByName(literal);
        TInetAddress ours = TInetAddress.getByName(literal);
        assertThat(ours.getAddress()).as(literal).isEqualTo(jdk.getAddress());
        assertThat(ours.getHostAddress()).as(literal).isEqualTo(jdk.getHostAddress());
        assertThat(ours.toString()).as(literal).isEqualTo(jdk.toString());
        assertThat(ours.isAnyLocalAddress()).isEqualTo(jdk.isAnyLocalAddress());
        assertThat(ours.isLoopbackAddress()).isEqualTo(jdk.isLoopbackAddress());
        assertThat(ours.isMulticastAddress()).isEqualTo(jdk.isMulticastAddress());
        assertThat(ours.isLinkLocalAddress()).isEqualTo(jdk.isLinkLocalAddress());
        assertThat(ours instanceof TInet4Address).isEqualTo(jdk instanceof java.net.Inet4Address);
        int port = Math.abs(literal.hashCode()) % 65536;
        assertThat(new TInetSocketAddress(ours, port).toString()).isEqualTo(new InetSocketAddress(jdk, port).toString());
        assertThat(new TInetSocketAddress(literal, port).toString())
                .isEqualTo(new InetSocketAddress(literal, port).toString());
        assertThat(new TInetSocketAddress(literal, port).getHostString())
                .isEqualTo(new InetSocketAddress(literal, port).getHostString());
        TInetAddress again = TInetAddress.getByAddress(jdk.getAddress());
        assertThat(again).isEqualTo(ours).hasSameHashCodeAs(ours);
    }

    @Test
    void localhost_and_names_as_the_jdk_treats_what_a_guest_can_know() throws Exception {
        assertThat(TInetAddress.getByName("localhost").getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(new TInetSocketAddress("localhost", 80).toString()).isEqualTo("localhost/127.0.0.1:80");
        assertThat(new TInetSocketAddress(8080).toString()).isEqualTo(new InetSocketAddress(8080).toString());
        assertThat(TInetAddress.getByName("::ffff:10.1.2.3")).isInstanceOf(TInet4Address.class);
        assertThat(TInetAddress.getByName("::ffff:10.1.2.3").getHostAddress()).isEqualTo("10.1.2.3");
        // No resolver in a guest: a name stays unresolved, as the JDK leaves a name it cannot resolve.
        TInetSocketAddress named = new TInetSocketAddress("example.invalid", 443);
        assertThat(named.isUnresolved()).isTrue();
        assertThat(named.toString()).isEqualTo(InetSocketAddress.createUnresolved("example.invalid", 443).toString());
        assertThatThrownBy(() -> TInetAddress.getByName("example.invalid"))
                .isInstanceOf(TUnknownHostException.class).hasMessageContaining("sock_getaddrinfo");
    }

    @Test
    void malformed_literals_and_ports_are_rejected() {
        for (String bad : List.of("1.2.3", "1.2.3.256", "1.2.3.4.5", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", ":1", "1.2.3.-4")) {
            assertThatThrownBy(() -> TInetAddress.getByName(bad)).as(bad).isInstanceOf(TUnknownHostException.class);
        }
        assertThatThrownBy(() -> new TInetSocketAddress("127.0.0.1", 65536)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TInetSocketAddress("127.0.0.1", -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TInetAddress.getByAddress(new byte[5])).isInstanceOf(TUnknownHostException.class);
    }
}
