package io.mio.net;

/** Which half of a connection {@code shutdown} closes. */
public enum Shutdown {
    /** No more reads: further reads return end of stream. */
    READ,
    /** No more writes: the peer reads end of stream once it has read what was sent. */
    WRITE,
    /** Both halves. */
    BOTH
}
