package io.mio.wasm;

import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasi.WasiPreview1;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.mio.wasm.Addresses.*;
import static io.mio.wasm.GuestMemory.aligned;
import static io.mio.wasm.GuestMemory.check;
import static io.mio.wasm.WasiErrno.*;

/**
 * {@code sock_getaddrinfo}: numeric hosts, {@code localhost} and no node resolved locally, other names through DNS
 * when the sandbox allows them, written into the guest's pre-linked result chain. A layer of {@link SocketHost}
 * (see {@link HostState}).
 */
abstract class AddrInfo extends DatagramIo {
    AddrInfo(WasiPreview1 wasi, NetPolicy policy) throws IOException {
        super(wasi, policy);
    }

    /** {@code sock_getaddrinfo(node, node_len, service, service_len, *hints, *res, max, *res_len)}. */
    public int sockGetAddrinfo(Memory m, int nodePtr, int nodeLen, int servicePtr, int serviceLen, int hintsPtr,
            int resPtr, int max, int resLenPtr) {
        return errno(() -> sockGetAddrinfo0(m, nodePtr, nodeLen, servicePtr, serviceLen, hintsPtr, resPtr, max, resLenPtr));
    }

    private int sockGetAddrinfo0(Memory m, int nodePtr, int nodeLen, int servicePtr, int serviceLen, int hintsPtr,
            int resPtr, int max, int resLenPtr) {
        aligned(hintsPtr, 4);
        aligned(resPtr, 4);
        aligned(resLenPtr, 4);
        byte[] nodeBytes = cString(m, nodePtr, nodeLen);
        String node = new String(nodeBytes, StandardCharsets.UTF_8);
        String service = new String(cString(m, servicePtr, serviceLen), StandardCharsets.UTF_8);
        check(m, hintsPtr, 28, 4);
        check(m, resPtr, 4, 4);
        check(m, resLenPtr, 4, 4);
        int flags = m.readShort(hintsPtr) & 0xFFFF;
        int family = m.read(hintsPtr + 2) & 0xFF;
        int socktype = m.read(hintsPtr + 3) & 0xFF;
        int protocol = m.read(hintsPtr + 4) & 0xFF;
        // as WasmEdge, a node or service of length 0 is absent (NULL to getaddrinfo); "\0" is an empty name
        boolean noNode = nodeLen == 0;
        if (noNode && serviceLen == 0) {
            return AINONAME;
        }
        if (max == 0) {
            return AIMEMORY;
        }
        if ((flags & ~AI_ALL_FLAGS) != 0 || (flags & AI_CANONNAME) != 0 && noNode) {
            return AIBADFLAG;
        }
        if (family > GuestSocket.AF_INET6) {
            return AIFAMILY;
        }
        if (protocol > PROTO_UDP || socktype > GuestSocket.SOCK_STREAM) {
            return NOSYS;
        }
        checkResultChain(m, m.readInt(resPtr), max & 0xFFFF_FFFFL);
        int port;
        if (service.isEmpty()) {
            port = 0;
        } else if (service.chars().allMatch(Character::isDigit) && service.length() <= 5
                && Integer.parseInt(service) <= 65535) {
            port = Integer.parseInt(service);
        } else if ((flags & AI_NUMERICSERV) != 0) {
            return AINONAME;
        } else {
            Integer p = SERVICES.get(service);
            if (p == null) {
                return AISERVICE;
            }
            port = p;
        }
        List<InetAddress> addrs = new ArrayList<>();
        if (!noNode && node.isEmpty()) {
            return AINONAME; // getaddrinfo("", ...)
        }
        if (noNode) {
            boolean passive = (flags & AI_PASSIVE) != 0;
            if (family != GuestSocket.AF_INET6) {
                addrs.add(literal(passive ? "0.0.0.0" : "127.0.0.1"));
            }
            if (family != GuestSocket.AF_INET4) {
                addrs.add(literal(passive ? "::" : "::1"));
            }
        } else if (isLiteral(node)) {
            addrs.add(literal(node));
        } else if ((flags & AI_NUMERICHOST) != 0) {
            return AINONAME;
        } else if (node.equalsIgnoreCase("localhost")) {
            addrs.add(literal("127.0.0.1"));
            addrs.add(literal("::1"));
        } else if (nodeBytes.length > MAX_NAME) {
            return AINONAME; // longer than any host name
        } else if (!policy.allowsResolve(node)) {
            NetPolicy.refused("sock_getaddrinfo", node, "PERM", "--allow-resolve", node);
            return PERM;
        } else {
            try {
                addrs.addAll(Arrays.asList(InetAddress.getAllByName(node)));
            } catch (UnknownHostException e) {
                return AINONAME;
            }
        }
        addrs.removeIf(a -> family != 0 && familyOf(a) != family);
        if (addrs.isEmpty()) {
            return family != 0 ? AIADDRFAMILY : AINONAME;
        }
        // socktype/protocol combinations: 0 gives both stream/TCP and dgram/UDP, as getaddrinfo does
        List<int[]> kinds = new ArrayList<>();
        for (int t : new int[] {GuestSocket.SOCK_STREAM, GuestSocket.SOCK_DGRAM}) {
            int proto = t == GuestSocket.SOCK_STREAM ? PROTO_TCP : PROTO_UDP;
            if ((socktype == 0 || socktype == t) && (protocol == 0 || protocol == proto)) {
                kinds.add(new int[] {t, proto});
            }
        }
        if (kinds.isEmpty()) {
            return AISOCKTYPE;
        }
        int count = 0;
        long limit = max & 0xFFFF_FFFFL;
        int ai = m.readInt(resPtr);
        Set<Integer> filled = new HashSet<>(); // each guest record takes one result, even in a cyclic chain
        filled.add(ai);
        outer:
        for (InetAddress a : addrs) {
            for (int[] k : kinds) {
                if (count >= limit) {
                    break outer;
                }
                check(m, ai, 28); // no alignment asked of the guest's records, as WasmEdge asks none
                boolean v6 = a instanceof Inet6Address;
                m.writeShort(ai, (short) flags);
                m.writeByte(ai + 2, (byte) familyOf(a));
                m.writeByte(ai + 3, (byte) k[0]);
                m.writeByte(ai + 4, (byte) k[1]);
                m.writeI32(ai + 8, v6 ? 28 : 16);
                int sa = m.readInt(ai + 12);
                check(m, sa, 12);
                m.writeByte(sa, (byte) familyOf(a));
                int dataLen = v6 ? 26 : 14;
                long cap = m.readInt(sa + 4) & 0xFFFF_FFFFL;
                int saData = m.readInt(sa + 8);
                int n = (int) Math.min(cap, dataLen); // what fits in the guest's sa_data (none if it has no room)
                byte[] data = new byte[dataLen];
                data[0] = (byte) (port >> 8);
                data[1] = (byte) port;
                byte[] ip = a.getAddress();
                System.arraycopy(ip, 0, data, v6 ? 6 : 2, ip.length);
                GuestMemory.write(m, saData, data, 0, n);
                m.writeI32(sa + 4, dataLen);
                if ((flags & AI_CANONNAME) != 0) {
                    int cn = m.readInt(ai + 16);
                    long cnCap = m.readInt(ai + 20) & 0xFFFF_FFFFL;
                    if (cnCap > 0) { // the name, cut to the buffer, and its NUL; nothing into a 0-byte buffer
                        byte[] name = node.getBytes(StandardCharsets.UTF_8);
                        int k2 = (int) Math.min(name.length, cnCap - 1);
                        check(m, cn, k2 + 1L);
                        m.write(cn, name, 0, k2);
                        m.writeByte(cn + k2, (byte) 0);
                        m.writeI32(ai + 20, k2);
                    }
                }
                count++;
                int next = m.readInt(ai + 24);
                if (next == 0 || !filled.add(next)) {
                    break outer;
                }
                ai = next;
            }
        }
        m.writeI32(resLenPtr, count);
        return SUCCESS;
    }

    /**
     * WasmEdge's check of the guest's result chain before it resolves anything: the first {@code max} records, as
     * {@code ai_next} links them (0 is an address like any other), must lie in memory, and so must each one's
     * sockaddr (12 bytes), its {@code sa_data} buffer and its {@code ai_canonname} buffer (by their lengths), else
     * FAULT. A chain that loops is walked only until the loop is certain (Floyd's tortoise and hare: every record
     * it holds has then been checked), so the work is bounded by the records there are, not by {@code max}.
     */
    private static void checkResultChain(Memory m, int head, long max) {
        int fast = head;
        int slow = head;
        for (long checked = 0; checked < max; ) {
            fast = checkResultRecord(m, fast);
            if (++checked == max) {
                return;
            }
            fast = checkResultRecord(m, fast);
            checked++;
            slow = m.readInt(slow + 24); // checked already
            if (fast == slow) {
                return; // a loop, every record of which has been checked
            }
        }
    }

    /** Checks one result record and what it points at; returns its ai_next. */
    private static int checkResultRecord(Memory m, int ai) {
        check(m, ai, 28);
        int sa = m.readInt(ai + 12);
        check(m, sa, 12);
        check(m, m.readInt(sa + 8), m.readInt(sa + 4) & 0xFFFF_FFFFL);
        check(m, m.readInt(ai + 16), m.readInt(ai + 20) & 0xFFFF_FFFFL);
        return m.readInt(ai + 24);
    }

    private static final Map<String, Integer> SERVICES = Map.of("http", 80, "https", 443, "ftp", 21, "ssh", 22,
            "smtp", 25, "domain", 53, "ntp", 123, "imap", 143, "pop3", 110, "telnet", 23);

    /** The longest node or service name read: a longer one is cut to {@code MAX_NAME + 1} bytes. */
    private static final int MAX_NAME = 1024;

    /**
     * The C string in {@code [ptr, ptr + len)}: its bytes up to the first NUL (or all of them), but no more than
     * {@code MAX_NAME + 1}, so that a guest's length does not decide how much the host copies.
     */
    private static byte[] cString(Memory m, int ptr, int len) {
        check(m, ptr, len & 0xFFFF_FFFFL);
        byte[] b = m.readBytes(ptr, (int) Math.min(len & 0xFFFF_FFFFL, MAX_NAME + 1));
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return Arrays.copyOf(b, n);
    }

    private static boolean isLiteral(String s) {
        try {
            InetAddress.ofLiteral(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static InetAddress literal(String s) {
        return InetAddress.ofLiteral(s);
    }
}
