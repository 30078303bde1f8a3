package io.mio.wasm;

import com.dylibso.chicory.runtime.Memory;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

import static io.mio.wasm.GuestMemory.check;
import static io.mio.wasm.WasiErrno.*;

/**
 * WasmEdge's address codecs: {@code __wasi_address_t} (V1: a raw 4- or 16-byte IP; V2: also 128-byte storage with
 * the family at +0), and the wildcard address of a socket's family. Stateless.
 */
final class Addresses {
    private Addresses() {}


    /** Reads a {@code __wasi_address_t}: V1 takes a 4- or 16-byte IP; V2 also 128-byte storage. */
    static InetAddress readAddress(Memory m, int addrPtr, boolean v2) {
        check(m, addrPtr, 8, 4);
        int buf = m.readInt(addrPtr);
        int len = m.readInt(addrPtr + 4);
        check(m, buf, len & 0xFFFF_FFFFL); // the whole buffer, before its length is judged (WasmEdge)
        byte[] ip;
        if (len == 4 || len == 16) {
            ip = m.readBytes(buf, len);
        } else if (v2 && len == 128) {
            int family = m.readShort(buf) & 0xFFFF;
            if (family == GuestSocket.AF_INET4) {
                ip = m.readBytes(buf + 2, 4);
            } else if (family == GuestSocket.AF_INET6) {
                ip = m.readBytes(buf + 2, 16);
            } else {
                throw new ErrnoException(family == 3 ? NOSYS : INVAL);
            }
        } else {
            throw new ErrnoException(INVAL);
        }
        try {
            return InetAddress.getByAddress(ip);
        } catch (UnknownHostException e) {
            throw new ErrnoException(INVAL);
        }
    }

    static int familyOf(InetAddress a) {
        return a instanceof Inet6Address ? GuestSocket.AF_INET6 : GuestSocket.AF_INET4;
    }

    static InetSocketAddress wildcard(GuestSocket s, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[s.family == GuestSocket.AF_INET6 ? 16 : 4]),
                    port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
