package io.mio.internal.nio;

import io.mio.internal.ClosedException;

import java.io.IOException;
import java.net.SocketOption;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NetworkChannel;

/** Socket options through {@link NetworkChannel}, with a clear error for the ones the JDK lacks here. */
public final class Options {
    private Options() {}

    public static <T> void set(NetworkChannel ch, SocketOption<T> option, T value, String kind) throws IOException {
        if (!ch.supportedOptions().contains(option)) {
            throw unsupported(option.name(), kind);
        }
        try {
            ch.setOption(option, value);
        } catch (ClosedChannelException e) {
            throw new ClosedException(kind);
        }
    }

    public static <T> T get(NetworkChannel ch, SocketOption<T> option, String kind) throws IOException {
        if (!ch.supportedOptions().contains(option)) {
            throw unsupported(option.name(), kind);
        }
        try {
            return ch.getOption(option);
        } catch (ClosedChannelException e) {
            throw new ClosedException(kind);
        }
    }

    public static UnsupportedOperationException unsupported(String what, String kind) {
        return new UnsupportedOperationException(what + " is not available for a " + kind
                + " on the SELECTOR backend (the JDK's channels do not offer it here)");
    }
}
