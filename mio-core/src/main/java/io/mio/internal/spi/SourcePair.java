package io.mio.internal.spi;

/** Two connected sources made at once ({@code socketpair}): {@code UnixStream.pair()}, {@code UnixDatagram.pair()}. */
public record SourcePair<T extends SourceSpi>(T first, T second) {}
