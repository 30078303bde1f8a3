package io.mio.wasm;

import com.dylibso.chicory.wasi.WasiPreview1;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static io.mio.wasm.WasiErrno.*;

/**
 * The guest's socket descriptor table: numbers from {@link #FD_BASE} up, beside Chicory's own table, with a
 * direct-mapped cache for the hot paths, and the sandbox's socket limit. A layer of {@link SocketHost} (see
 * {@link HostState}).
 */
abstract class SocketTable extends HostState {
    final Map<Integer, GuestSocket> sockets = new ConcurrentHashMap<>();
    /** A direct-mapped cache of {@link #sockets} by fd (a power of two long), kept by putSocket / removeSocket. */
    GuestSocket[] socketCache = new GuestSocket[256];

    private int nextFd = FD_BASE;

    SocketTable(WasiPreview1 wasi, NetPolicy policy) throws IOException {
        super(wasi, policy);
    }

    /** How many guest sockets are open. */
    public int openSockets() {
        return sockets.size();
    }


    /** The socket at {@code fd}, or null: from the cache when it is there, so that the hot paths do not box. */
    GuestSocket lookup(int fd) {
        GuestSocket[] cache = socketCache;
        int i = fd & (cache.length - 1);
        GuestSocket s = cache[i];
        if (s != null && s.fd == fd) {
            return s;
        }
        s = sockets.get(fd);
        if (s != null) {
            cache[i] = s;
        }
        return s;
    }

    void putSocket(GuestSocket s) {
        sockets.put(s.fd, s);
        if (sockets.size() > socketCache.length / 2 && socketCache.length < 1 << 20) {
            GuestSocket[] bigger = new GuestSocket[socketCache.length * 2];
            for (GuestSocket g : sockets.values()) {
                bigger[g.fd & (bigger.length - 1)] = g;
            }
            socketCache = bigger;
        }
        socketCache[s.fd & (socketCache.length - 1)] = s;
    }

    GuestSocket removeSocket(int fd) {
        GuestSocket s = sockets.remove(fd);
        int i = fd & (socketCache.length - 1);
        if (socketCache[i] != null && socketCache[i].fd == fd) {
            socketCache[i] = null;
        }
        return s;
    }

    /** Whether {@code fd} is a guest socket. */
    public boolean isSocket(int fd) {
        return sockets.containsKey(fd);
    }

    int allocateFd() {
        while (sockets.containsKey(nextFd)) {
            nextFd = nextFd == Integer.MAX_VALUE ? FD_BASE : nextFd + 1;
        }
        int fd = nextFd;
        nextFd = nextFd == Integer.MAX_VALUE ? FD_BASE : nextFd + 1;
        return fd;
    }

    /** A one-page memory for asking Chicory about a descriptor (made on first use: fd_renumber is rare). */
    private com.dylibso.chicory.runtime.Memory probe;

    /** Whether {@code fd} is one of Chicory's descriptors (asked without side effects). */
    boolean wasiHas(int fd) {
        if (probe == null) {
            probe = new com.dylibso.chicory.runtime.ByteArrayMemory(
                    new com.dylibso.chicory.wasm.types.MemoryLimits(1, 1));
        }
        return wasi.fdFdstatGet(probe, fd, 0) != BADF;
    }

    /**
     * A socket left number {@code fd}: below {@link #FD_BASE} it was one of Chicory's numbers, whose descriptor
     * Chicory kept allocated while the socket had it (see SocketHost.fdRenumber); it is closed now.
     */
    void releaseNumber(int fd) {
        if (fd >= 0 && fd < FD_BASE) {
            wasi.fdClose(fd);
        }
    }

    void checkLimit(String call) {
        if (sockets.size() >= policy.maxSockets()) {
            NetPolicy.LOG.warning(() -> call + " refused: the guest has " + sockets.size() + " sockets open, its limit"
                    + " (MFILE): raise --max-sockets");
            throw new ErrnoException(MFILE);
        }
    }
}
