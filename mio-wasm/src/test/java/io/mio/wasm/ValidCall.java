package io.mio.wasm;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.mio.wasm.SocketHost.*;

/**
 * Every socket host function with well-formed arguments at a fixed layout, so that a property can spoil exactly one
 * pointer (or the descriptor) and know the errno WasmEdge gives: FAULT for a range outside memory, ADDRNOTAVAIL
 * for a misaligned fd, address, iovec or length pointer, BADF for a descriptor that is not a socket.
 */
enum ValidCall {
    SOCK_OPEN, SOCK_BIND_V1, SOCK_BIND_V2, SOCK_LISTEN, SOCK_ACCEPT_V1, SOCK_ACCEPT_V2, SOCK_CONNECT_V1,
    SOCK_CONNECT_V2, SOCK_RECV, FD_READ, SOCK_RECV_FROM_V1, SOCK_RECV_FROM_V2, SOCK_SEND, FD_WRITE,
    SOCK_SEND_TO_V1, SOCK_SEND_TO_V2, SOCK_SHUTDOWN, GETLOCALADDR_V1, GETLOCALADDR_V2, GETPEERADDR_V1,
    GETPEERADDR_V2, GETSOCKOPT, SETSOCKOPT, GETADDRINFO, FD_FDSTAT_GET, FD_FDSTAT_SET_FLAGS, FD_CLOSE, POLL_ONEOFF,
    EPOLL_ONEOFF;

    // the layout (all inside the first 12 KiB)
    static final int FD_OUT = 0;
    static final int ADDR = 1008;
    static final int ADDR_BUF = 1024;
    static final int TYPE = 1200;
    static final int PORT = 1204;
    static final int LEN = 1208;
    static final int FLAGS = 1212;
    static final int VAL = 1216;
    static final int FDSTAT = 1280;
    static final int NEVENTS = 1320;
    static final int IOV = 2048;
    static final int DATA = 2304;
    static final int SUBS = 3072;
    static final int EVENTS = 3584;
    static final int NODE = 4096;
    static final int SERVICE = 4160;
    static final int HINTS = 4224;
    static final int RES = 4264;
    static final int RES_LEN = 4268;
    static final int AI = 4352;
    static final int SA = 4416;
    static final int SA_DATA = 4480;
    static final int CANON = 4544;
    static final long USERDATA = 0x5eed_0001L;

    /** One pointer of the call: its name, its well-formed value, the bytes it covers, its alignment. */
    record Ptr(String name, int value, int size, int align) {}

    List<Ptr> pointers() {
        Ptr addr = new Ptr("addr", ADDR, 8, 4);
        Ptr ip4 = new Ptr("addr.buf", ADDR_BUF, 4, 1);
        Ptr ip16 = new Ptr("addr.buf", ADDR_BUF, 16, 1);
        Ptr storage = new Ptr("addr.buf", ADDR_BUF, 128, 1);
        Ptr iov = new Ptr("iov", IOV, 8, 4);
        Ptr iovBuf = new Ptr("iov.buf", DATA, 16, 1);
        Ptr len = new Ptr("len", LEN, 4, 4);
        Ptr roflags = new Ptr("roflags", FLAGS, 2, 2);
        return switch (this) {
            case SOCK_OPEN -> List.of(new Ptr("fd", FD_OUT, 4, 4));
            case SOCK_BIND_V1, SOCK_CONNECT_V1 -> List.of(addr, ip4);
            case SOCK_BIND_V2, SOCK_CONNECT_V2 -> List.of(addr, storage);
            case SOCK_ACCEPT_V1, SOCK_ACCEPT_V2 -> List.of(new Ptr("newfd", FD_OUT, 4, 4));
            case SOCK_RECV -> List.of(iov, iovBuf, len, roflags);
            case FD_READ, SOCK_SEND, FD_WRITE -> List.of(iov, iovBuf, len);
            case SOCK_RECV_FROM_V1 -> List.of(addr, ip16, iov, iovBuf, len, roflags);
            case SOCK_RECV_FROM_V2 -> List.of(addr, storage, iov, iovBuf, new Ptr("port", PORT, 2, 2), len, roflags);
            case SOCK_SEND_TO_V1 -> List.of(addr, ip4, iov, iovBuf, len);
            case SOCK_SEND_TO_V2 -> List.of(addr, storage, iov, iovBuf, len);
            case GETLOCALADDR_V1, GETPEERADDR_V1 -> List.of(addr, ip16, new Ptr("type", TYPE, 4, 4),
                    new Ptr("port", PORT, 4, 4));
            case GETLOCALADDR_V2, GETPEERADDR_V2 -> List.of(addr, storage, new Ptr("port", PORT, 4, 4));
            case GETSOCKOPT -> List.of(new Ptr("val", VAL, 4, 1), len);
            case SETSOCKOPT -> List.of(new Ptr("val", VAL, 4, 1));
            case GETADDRINFO -> List.of(new Ptr("node", NODE, 10, 1), new Ptr("service", SERVICE, 3, 1),
                    new Ptr("hints", HINTS, 28, 4), new Ptr("res", RES, 4, 4), new Ptr("res_len", RES_LEN, 4, 4),
                    // WasmEdge asks no alignment of the result records it follows
                    new Ptr("ai", AI, 28, 1), new Ptr("ai.addr", SA, 12, 1), new Ptr("sa_data", SA_DATA, 14, 1));
            case FD_FDSTAT_GET -> List.of(new Ptr("fdstat", FDSTAT, 24, 8));
            case POLL_ONEOFF, EPOLL_ONEOFF -> List.of(new Ptr("in", SUBS, 96, 8), new Ptr("out", EVENTS, 64, 8),
                    new Ptr("nevents", NEVENTS, 4, 4));
            case SOCK_LISTEN, SOCK_SHUTDOWN, FD_FDSTAT_SET_FLAGS, FD_CLOSE -> List.of();
        };
    }

    boolean takesFd() {
        return this != SOCK_OPEN && this != GETADDRINFO;
    }

    boolean isPoll() {
        return this == POLL_ONEOFF || this == EPOLL_ONEOFF;
    }

    /** The well-formed pointer values, to be overridden one at a time. */
    Map<String, Integer> defaults() {
        Map<String, Integer> p = new LinkedHashMap<>();
        for (Ptr x : pointers()) {
            p.put(x.name(), x.value());
        }
        return p;
    }

    /** Writes the structures the call reads and makes it on {@code fd}. */
    int invoke(FuzzHost h, int fd, Map<String, Integer> p) {
        SocketHost host = h.host;
        var m = h.m;
        boolean v2 = name().endsWith("_V2");
        Integer addr = p.get("addr");
        if (addr != null) {
            int buf = p.get("addr.buf");
            int size = pointers().stream().filter(x -> x.name().equals("addr.buf")).findFirst().orElseThrow().size();
            h.putI32(addr, buf);
            h.putI32((addr & 0xFFFF_FFFFL) + 4, size);
            if (size == 128) {
                byte[] storage = new byte[128];
                storage[0] = 1; // INET4
                storage[2] = 127;
                storage[5] = 1;
                h.put(buf, storage);
            } else {
                byte[] ip = new byte[size];
                ip[0] = 127;
                ip[size - 1] = 1;
                h.put(buf, size == 16 ? new byte[16] : ip); // recv_from/getaddr only write it
            }
        }
        Integer iov = p.get("iov");
        if (iov != null) {
            h.putI32(iov, p.get("iov.buf"));
            h.putI32((iov & 0xFFFF_FFFFL) + 4, 16);
        }
        return switch (this) {
            case SOCK_OPEN -> host.sockOpen(m, 1, 2, p.get("fd"));
            case SOCK_BIND_V1, SOCK_BIND_V2 -> host.sockBind(m, fd, addr, 0, v2);
            case SOCK_LISTEN -> host.sockListen(fd, 8);
            case SOCK_ACCEPT_V1, SOCK_ACCEPT_V2 -> host.sockAccept(m, fd, 0, p.get("newfd"), v2);
            case SOCK_CONNECT_V1, SOCK_CONNECT_V2 -> host.sockConnect(m, fd, addr, h.ownPort(false), v2);
            case SOCK_RECV -> host.sockRecv(m, fd, iov, 1, 0, p.get("len"), p.get("roflags"));
            case FD_READ -> host.fdRead(m, fd, iov, 1, p.get("len"));
            case SOCK_RECV_FROM_V1, SOCK_RECV_FROM_V2 -> host.sockRecvFrom(m, fd, iov, 1, addr, 0,
                    v2 ? p.get("port") : 0, p.get("len"), p.get("roflags"), v2);
            case SOCK_SEND, FD_WRITE -> host.sockSend(m, fd, iov, 1, 0, p.get("len"));
            case SOCK_SEND_TO_V1, SOCK_SEND_TO_V2 -> host.sockSendTo(m, fd, iov, 1, addr, h.ownPort(true), 0,
                    p.get("len"), v2);
            case SOCK_SHUTDOWN -> host.sockShutdown(fd, 3);
            case GETLOCALADDR_V1, GETPEERADDR_V1 -> host.sockGetAddr(m, fd, addr, p.get("type"), p.get("port"),
                    this == GETLOCALADDR_V1, false);
            case GETLOCALADDR_V2, GETPEERADDR_V2 -> host.sockGetAddr(m, fd, addr, 0, p.get("port"),
                    this == GETLOCALADDR_V2, true);
            case GETSOCKOPT -> {
                h.putI32(p.get("len"), 4);
                yield host.sockGetOpt(m, fd, 0, SO_TYPE, p.get("val"), p.get("len"));
            }
            case SETSOCKOPT -> {
                h.putI32(p.get("val"), 1);
                yield host.sockSetOpt(m, fd, 0, SO_KEEPALIVE, p.get("val"), 4);
            }
            case GETADDRINFO -> {
                h.put(p.get("node"), "localhost\0".getBytes(StandardCharsets.US_ASCII));
                h.put(p.get("service"), "80\0".getBytes(StandardCharsets.US_ASCII));
                int hints = p.get("hints");
                h.put(hints, new byte[28]);
                h.put((hints & 0xFFFF_FFFFL) + 2, new byte[] {1, 2, 1}); // INET4, STREAM, TCP
                int ai = p.get("ai");
                h.putI32(p.get("res"), ai);
                h.put(ai, new byte[28]);
                h.putI32((ai & 0xFFFF_FFFFL) + 12, p.get("ai.addr"));
                int sa = p.get("ai.addr");
                h.put(sa, new byte[12]);
                h.putI32((sa & 0xFFFF_FFFFL) + 4, 14);
                h.putI32((sa & 0xFFFF_FFFFL) + 8, p.get("sa_data"));
                yield host.sockGetAddrinfo(m, p.get("node"), 10, p.get("service"), 3, hints, p.get("res"), 1,
                        p.get("res_len"));
            }
            case FD_FDSTAT_GET -> host.fdFdstatGet(m, fd, p.get("fdstat"));
            case FD_FDSTAT_SET_FLAGS -> host.fdFdstatSetFlags(fd, FDFLAGS_NONBLOCK);
            case FD_CLOSE -> host.fdClose(fd);
            case POLL_ONEOFF, EPOLL_ONEOFF -> {
                int in = p.get("in");
                byte[] subs = new byte[96];
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(subs).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                b.putLong(0, USERDATA).put(8, (byte) EVENTTYPE_FD_READ).putInt(16, fd);
                b.putLong(48, USERDATA + 1).put(56, (byte) EVENTTYPE_CLOCK).putInt(64, CLOCK_MONOTONIC)
                        .putLong(72, 1_000_000L);
                h.put(in, subs);
                yield this == POLL_ONEOFF ? host.pollOneoff(m, in, p.get("out"), 2, p.get("nevents"))
                        : host.epollOneoff(m, in, p.get("out"), 2, p.get("nevents"));
            }
        };
    }
}
