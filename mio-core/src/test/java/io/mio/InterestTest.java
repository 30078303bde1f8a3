package io.mio;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Ports of the behaviours mio's tests/interest.rs checks, plus remove. */
class InterestTest {
    @Test
    void is_predicates() {
        assertThat(Interest.READABLE.isReadable()).isTrue();
        assertThat(Interest.READABLE.isWritable()).isFalse();
        assertThat(Interest.READABLE.isPriority()).isFalse();
        assertThat(Interest.WRITABLE.isReadable()).isFalse();
        assertThat(Interest.WRITABLE.isWritable()).isTrue();
        assertThat(Interest.WRITABLE.isAio()).isFalse();
        assertThat(Interest.WRITABLE.isLio()).isFalse();
        assertThat(Interest.PRIORITY.isPriority()).isTrue();
        assertThat(Interest.PRIORITY.isReadable()).isFalse();
    }

    @Test
    void add_is_a_union() {
        Interest both = Interest.READABLE.add(Interest.WRITABLE);
        assertThat(both.isReadable()).isTrue();
        assertThat(both.isWritable()).isTrue();
        assertThat(both.isPriority()).isFalse();
        assertThat(Interest.WRITABLE.add(Interest.READABLE)).isEqualTo(both);
        assertThat(both.add(Interest.READABLE)).isEqualTo(both);
        assertThat(Interest.READABLE.add(Interest.READABLE)).isEqualTo(Interest.READABLE);
        Interest all = both.add(Interest.PRIORITY);
        assertThat(all.isReadable() && all.isWritable() && all.isPriority()).isTrue();
    }

    @Test
    void text_form() {
        assertThat(Interest.READABLE).hasToString("READABLE");
        assertThat(Interest.WRITABLE).hasToString("WRITABLE");
        assertThat(Interest.PRIORITY).hasToString("PRIORITY");
        assertThat(Interest.READABLE.add(Interest.WRITABLE)).hasToString("READABLE | WRITABLE");
        assertThat(Interest.WRITABLE.add(Interest.READABLE)).hasToString("READABLE | WRITABLE");
        assertThat(Interest.PRIORITY.add(Interest.READABLE).add(Interest.WRITABLE))
                .hasToString("READABLE | WRITABLE | PRIORITY");
    }

    @Test
    void remove_leaves_the_rest_and_removing_everything_gives_none() {
        Interest both = Interest.READABLE.add(Interest.WRITABLE);
        assertThat(both.remove(Interest.READABLE)).contains(Interest.WRITABLE);
        assertThat(both.remove(Interest.WRITABLE)).contains(Interest.READABLE);
        assertThat(both.remove(Interest.PRIORITY)).contains(both);
        assertThat(Interest.READABLE.remove(Interest.WRITABLE)).contains(Interest.READABLE);
        assertThat(Interest.READABLE.remove(Interest.READABLE)).isEqualTo(Optional.empty());
        assertThat(both.remove(both)).isEmpty();
        assertThat(both.remove(Interest.READABLE.add(Interest.WRITABLE).add(Interest.PRIORITY))).isEmpty();
    }
}
