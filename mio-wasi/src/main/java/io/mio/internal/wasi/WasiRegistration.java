package io.mio.internal.wasi;

import io.mio.Interest;
import io.mio.Token;

/**
 * One source's registration with a {@link WasiSelector}, and its edge-triggering state. A readiness that was
 * reported is disarmed until the source's own call would block (or moves less than asked) and re-arms it,
 * as the SELECTOR backend emulates edges over a level-triggered selector; {@code reregister} arms both.
 * Owned by its source; touched only by the guest's one thread.
 */
final class WasiRegistration {
    final String kind;
    int fd;
    WasiSelector selector;
    Token token;
    boolean wantRead;
    boolean wantWrite;
    boolean readArmed;
    boolean writeArmed;
    /** The slot in the selector's dense table, or -1. */
    int slot = -1;
    /** The select round in which this registration last got an entry of the output, and which entry. */
    long round = -1;
    int outIndex;

    WasiRegistration(String kind, int fd) {
        this.kind = kind;
        this.fd = fd;
    }

    void set(Token token, Interest interests) {
        this.token = token;
        this.wantRead = interests.isReadable();
        this.wantWrite = interests.isWritable();
        this.readArmed = true;
        this.writeArmed = true;
    }

    /** The source's read (or accept, or receive) would block or came up short: report the next readability. */
    void armRead() {
        readArmed = true;
    }

    /** The source's write would block or came up short: report the next writability. */
    void armWrite() {
        writeArmed = true;
    }
}
