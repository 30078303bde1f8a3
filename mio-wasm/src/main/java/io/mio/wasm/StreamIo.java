package io.mio.wasm;

import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasi.WasiPreview1;
import io.mio.Interest;
import io.mio.net.SocketAddressHolder;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import static io.mio.wasm.GuestMemory.aligned;
import static io.mio.wasm.GuestMemory.check;
import static io.mio.wasm.WasiErrno.*;

/**
 * {@code sock_recv} / {@code sock_send} and {@code fd_read} / {@code fd_write} on sockets: the stream side, and the
 * dispatch to {@link DatagramIo} for UDP sockets. A layer of {@link SocketHost} (see {@link HostState}).
 */
abstract class StreamIo extends SocketCalls {
    private static final int CHUNK = 64 * 1024;

    final byte[] buffer = new byte[CHUNK];
    /** The iovecs of the call in progress (one array for every call: reading them allocates nothing). */
    final Iovecs iovs = new Iovecs();

    StreamIo(WasiPreview1 wasi, NetPolicy policy) throws IOException {
        super(wasi, policy);
    }

    /** {@link DatagramIo#recvDatagram}: sock_recv and fd_read on a UDP socket. */
    abstract int recvDatagram(Memory m, GuestSocket s, Iovecs iovs, int riflags, int nreadPtr, int roflagsPtr,
            SocketAddressHolder from);

    /** {@link DatagramIo#sendDatagram}: sock_send and fd_write on a connected UDP socket. */
    abstract int sendDatagram(Memory m, GuestSocket s, Iovecs iovs, InetSocketAddress to, int nwrittenPtr);

    /**
     * {@code sock_recv(fd, iov, n, riflags, *nread, *roflags)}.
     */
    public int sockRecv(Memory m, int fd, int iovPtr, int iovCount, int riflags, int nreadPtr, int roflagsPtr) {
        try { // no lambda: a capturing one allocates where the JIT does not inline the call
            return sockRecv0(m, fd, iovPtr, iovCount, riflags, nreadPtr, roflagsPtr, true);
        } catch (ErrnoException e) {
            return e.errno;
        }
    }

    /** {@code fd_read} on a socket: a recv without flags and without roflags. */
    public int fdRead(Memory m, int fd, int iovPtr, int iovCount, int nreadPtr) {
        try { // no lambda: a capturing one allocates where the JIT does not inline the call
            return sockRecv0(m, fd, iovPtr, iovCount, 0, nreadPtr, 0, false);
        } catch (ErrnoException e) {
            return e.errno;
        }
    }

    int sockRecv0(Memory m, int fd, int iovPtr, int iovCount, int riflags, int nreadPtr, int roflagsPtr,
            boolean hasRoflags) {
        // WasmEdge's order: every alignment, then riflags (a u16), then memory, then the fd
        aligned(iovPtr, 4);
        aligned(nreadPtr, 4);
        if (hasRoflags) {
            aligned(roflagsPtr, 2);
        }
        riflags &= 0xFFFF;
        if ((riflags & ~(RIFLAGS_PEEK | RIFLAGS_WAITALL)) != 0) {
            return INVAL;
        }
        Iovecs iovs = this.iovs.read(m, iovPtr, iovCount);
        check(m, nreadPtr, 4, 4);
        if (hasRoflags) {
            check(m, roflagsPtr, 2, 2);
        }
        GuestSocket s = sock(fd);
        if (s.isUdp()) {
            return recvDatagram(m, s, iovs, riflags, nreadPtr, hasRoflags ? roflagsPtr : -1, null);
        }
        if (s.stream == null) {
            return NOTCONN;
        }
        long want = iovs.total();
        long got = 0;
        boolean peek = (riflags & RIFLAGS_PEEK) != 0;
        boolean waitAll = (riflags & RIFLAGS_WAITALL) != 0 && !peek;
        if (want > 0 && againFromKnown(s, true)) {
            return AGAIN; // known empty since the last look, and no poll since: no need to ask again
        }
        // straight into guest memory, but a peek fills only its first iovec that way (it cannot go on)
        SegmentMemory direct = m instanceof SegmentMemory sm && !(peek && iovs.count() > 1) ? sm : null;
        try {
            while (got < want) {
                int len;
                int n;
                if (direct != null) {
                    int k = iovs.views(direct, got, 1 << 30);
                    len = iovs.viewedBytes;
                    ByteBuffer[] v = direct.views();
                    n = peek ? s.stream.peek(v[0]) : k == 1 ? s.stream.read(v[0]) : (int) s.stream.read(v, 0, k);
                } else {
                    len = (int) Math.min(buffer.length, want - got);
                    n = peek ? s.stream.peek(buffer, 0, len) : s.stream.read(buffer, 0, len);
                    if (n > 0) {
                        iovs.scatter(m, got, buffer, n);
                    }
                }
                if (n > 0) {
                    got += n;
                    if (!peek) {
                        if (n < len) {
                            s.readDrained(false); // a short read emptied the receive queue (io.mio's short-read rule)
                        } else {
                            s.readConsumed();
                        }
                    }
                    if (!waitAll && (n < len || peek)) {
                        break;
                    }
                    continue;
                }
                if (n < 0) {
                    s.readClosed = true; // end of stream: a read never blocks again
                    break;
                }
                s.readDrained(true);
                if (got > 0 && (!waitAll || s.nonblocking)) {
                    break; // some data and no need to wait for more
                }
                if (s.nonblocking) {
                    return AGAIN;
                }
                if (!await(s, Interest.READABLE, s.rcvTimeoutNanos)) {
                    if (got > 0) {
                        break;
                    }
                    return AGAIN;
                }
            }
        } catch (InterruptedIOException e) {
            return interrupted(e);
        } catch (IOException e) {
            s.connectFailed |= s.connecting; // a failed connect's error, read here instead of through SO_ERROR
            if (got == 0) {
                return WasiErrno.of(e);
            }
        }
        m.writeI32(nreadPtr, (int) got);
        if (hasRoflags) {
            m.writeShort(roflagsPtr, (short) 0);
        }
        return SUCCESS;
    }

    /** {@code sock_send(fd, ciov, n, siflags, *nwritten)}; also {@code fd_write} on a socket. */
    public int sockSend(Memory m, int fd, int iovPtr, int iovCount, int siflags, int nwrittenPtr) {
        try { // no lambda: a capturing one allocates where the JIT does not inline the call
            return sockSend0(m, fd, iovPtr, iovCount, siflags, nwrittenPtr);
        } catch (ErrnoException e) {
            return e.errno;
        }
    }

    int sockSend0(Memory m, int fd, int iovPtr, int iovCount, int siflags, int nwrittenPtr) {
        aligned(iovPtr, 4);
        aligned(nwrittenPtr, 4);
        if ((siflags & 0xFFFF) != 0) {
            return INVAL; // siflags is a u16 with no flag defined
        }
        Iovecs iovs = this.iovs.read(m, iovPtr, iovCount);
        check(m, nwrittenPtr, 4, 4);
        GuestSocket s = sock(fd);
        if (s.isUdp()) {
            if (s.shutWrite) {
                return PIPE;
            }
            if (!s.udpConnected) {
                return DESTADDRREQ;
            }
            return sendDatagram(m, s, iovs, null, nwrittenPtr);
        }
        if (s.stream == null) {
            return PIPE; // Linux's tcp_sendmsg on a socket that is not connected (listener included)
        }
        long want = iovs.total();
        long sent = 0;
        if (want > 0 && againFromKnown(s, false)) {
            return AGAIN; // known full since the last look, and no poll since: no need to ask again
        }
        SegmentMemory direct = m instanceof SegmentMemory sm ? sm : null;
        try {
            while (sent < want) {
                int len;
                int n;
                if (direct != null) {
                    int k = iovs.views(direct, sent, 1 << 30);
                    len = iovs.viewedBytes;
                    ByteBuffer[] v = direct.views();
                    n = k == 1 ? s.stream.write(v[0]) : (int) s.stream.write(v, 0, k);
                } else {
                    len = iovs.gather(m, sent, buffer, (int) Math.min(buffer.length, want - sent));
                    n = s.stream.write(buffer, 0, len);
                }
                if (n > 0) {
                    sent += n;
                    if (n == len) {
                        continue;
                    }
                    s.writeDrained(false); // a short write filled the send buffer: the next write would block
                } else {
                    s.writeDrained(true);
                }
                if (s.nonblocking) {
                    if (sent > 0) {
                        break;
                    }
                    return AGAIN;
                }
                if (!await(s, Interest.WRITABLE, s.sndTimeoutNanos)) {
                    if (sent > 0) {
                        break;
                    }
                    return AGAIN;
                }
            }
        } catch (InterruptedIOException e) {
            return interrupted(e);
        } catch (IOException e) {
            s.connectFailed |= s.connecting;
            if (sent == 0) {
                return WasiErrno.of(e);
            }
        }
        m.writeI32(nwrittenPtr, (int) sent);
        return SUCCESS;
    }
}
