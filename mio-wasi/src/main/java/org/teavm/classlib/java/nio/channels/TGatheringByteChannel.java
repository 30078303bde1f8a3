package org.teavm.classlib.java.nio.channels;

import org.teavm.classlib.java.nio.TByteBuffer;

import java.io.IOException;

/**
 * {@code java.nio.channels.GatheringByteChannel} for the wasm build, which TeaVM's class library lacks: io.mio's
 * streams implement it.
 */
public interface TGatheringByteChannel extends TWritableByteChannel {
    /** As the JDK's. */
    long write(TByteBuffer[] srcs, int offset, int length) throws IOException;

    /** As the JDK's. */
    long write(TByteBuffer[] srcs) throws IOException;
}
