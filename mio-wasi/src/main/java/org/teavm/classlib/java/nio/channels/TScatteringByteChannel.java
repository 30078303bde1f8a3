package org.teavm.classlib.java.nio.channels;

import org.teavm.classlib.java.nio.TByteBuffer;

import java.io.IOException;

/**
 * {@code java.nio.channels.ScatteringByteChannel} for the wasm build, which TeaVM's class library lacks: io.mio's
 * streams implement it.
 */
public interface TScatteringByteChannel extends TReadableByteChannel {
    /** As the JDK's. */
    long read(TByteBuffer[] dsts, int offset, int length) throws IOException;

    /** As the JDK's. */
    long read(TByteBuffer[] dsts) throws IOException;
}
