package io.mio.tls;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import java.nio.ByteBuffer;
import java.security.KeyManagementException;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.Certificate;

/**
 * An {@link SSLEngine} without cryptography or handshake that allocates nothing per call: each wrap frames up to
 * 16 KiB of plaintext as one TLS-shaped record (type 23, version 3.3, length), each unwrap takes one record back out.
 * With it, a {@link TlsStream}'s own code is all that runs per record, so its allocation can be measured alone.
 * Results are cached by their four values (a round trip of fixed-size messages needs two), so steady state reuses them.
 */
final class PassThroughEngine extends SSLEngine {
    static final int MAX_PLAINTEXT = 16384;
    private static final int HEADER = 5;

    private boolean inboundDone;
    private boolean outboundDone;
    private final SSLEngineResult[] cache = new SSLEngineResult[16];

    /** A context whose engines are pass-through engines. */
    static SSLContext context() {
        SSLContextSpi spi = new SSLContextSpi() {
            @Override
            protected void engineInit(javax.net.ssl.KeyManager[] km, javax.net.ssl.TrustManager[] tm, SecureRandom sr)
                    throws KeyManagementException {
            }

            @Override
            protected SSLSocketFactory engineGetSocketFactory() {
                throw new UnsupportedOperationException();
            }

            @Override
            protected SSLServerSocketFactory engineGetServerSocketFactory() {
                throw new UnsupportedOperationException();
            }

            @Override
            protected SSLEngine engineCreateSSLEngine() {
                return new PassThroughEngine();
            }

            @Override
            protected SSLEngine engineCreateSSLEngine(String host, int port) {
                return new PassThroughEngine();
            }

            @Override
            protected SSLSessionContext engineGetServerSessionContext() {
                return null;
            }

            @Override
            protected SSLSessionContext engineGetClientSessionContext() {
                return null;
            }

            @Override
            protected SSLParameters engineGetSupportedSSLParameters() {
                return new SSLParameters(new String[0], new String[] {"TLSv1.3"});
            }
        };
        return new SSLContext(spi, new Provider("PassThrough", "1", "test engine without cryptography") {}, "PassThrough") {};
    }

    private SSLEngineResult result(Status status, int consumed, int produced) {
        for (int i = 0; i < cache.length; i++) {
            SSLEngineResult r = cache[i];
            if (r == null) {
                r = new SSLEngineResult(status, HandshakeStatus.NOT_HANDSHAKING, consumed, produced);
                cache[i] = r;
                return r;
            }
            if (r.getStatus() == status && r.bytesConsumed() == consumed && r.bytesProduced() == produced) {
                return r;
            }
        }
        return new SSLEngineResult(status, HandshakeStatus.NOT_HANDSHAKING, consumed, produced);
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) {
        if (outboundDone) {
            return result(Status.CLOSED, 0, 0);
        }
        int available = 0;
        for (int i = offset; i < offset + length; i++) {
            available += srcs[i].remaining();
        }
        int n = Math.min(available, MAX_PLAINTEXT);
        if (n == 0) {
            return result(Status.OK, 0, 0);
        }
        if (dst.remaining() < HEADER + n) {
            return result(Status.BUFFER_OVERFLOW, 0, 0);
        }
        dst.put((byte) 23).put((byte) 3).put((byte) 3).put((byte) (n >> 8)).put((byte) n);
        int left = n;
        for (int i = offset; i < offset + length && left > 0; i++) {
            ByteBuffer s = srcs[i];
            int k = Math.min(left, s.remaining());
            dst.put(dst.position(), s, s.position(), k);
            dst.position(dst.position() + k);
            s.position(s.position() + k);
            left -= k;
        }
        return result(Status.OK, n, HEADER + n);
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) {
        if (inboundDone) {
            return result(Status.CLOSED, 0, 0);
        }
        if (src.remaining() < HEADER) {
            return result(Status.BUFFER_UNDERFLOW, 0, 0);
        }
        int p = src.position();
        int n = ((src.get(p + 3) & 0xff) << 8) | (src.get(p + 4) & 0xff);
        if (src.remaining() < HEADER + n) {
            return result(Status.BUFFER_UNDERFLOW, 0, 0);
        }
        int room = 0;
        for (int i = offset; i < offset + length; i++) {
            room += dsts[i].remaining();
        }
        if (room < n) {
            return result(Status.BUFFER_OVERFLOW, 0, 0);
        }
        src.position(p + HEADER);
        int left = n;
        for (int i = offset; i < offset + length && left > 0; i++) {
            ByteBuffer d = dsts[i];
            int k = Math.min(left, d.remaining());
            d.put(d.position(), src, src.position(), k);
            d.position(d.position() + k);
            src.position(src.position() + k);
            left -= k;
        }
        return result(Status.OK, HEADER + n, n);
    }

    @Override
    public Runnable getDelegatedTask() {
        return null;
    }

    @Override
    public void closeInbound() {
        inboundDone = true;
    }

    @Override
    public boolean isInboundDone() {
        return inboundDone;
    }

    @Override
    public void closeOutbound() {
        outboundDone = true;
    }

    @Override
    public boolean isOutboundDone() {
        return outboundDone;
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return new String[0];
    }

    @Override
    public String[] getEnabledCipherSuites() {
        return new String[0];
    }

    @Override
    public void setEnabledCipherSuites(String[] suites) {
    }

    @Override
    public String[] getSupportedProtocols() {
        return new String[] {"TLSv1.3"};
    }

    @Override
    public String[] getEnabledProtocols() {
        return new String[] {"TLSv1.3"};
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
    }

    @Override
    public SSLSession getSession() {
        return SESSION;
    }

    @Override
    public void beginHandshake() {
    }

    @Override
    public HandshakeStatus getHandshakeStatus() {
        return HandshakeStatus.NOT_HANDSHAKING;
    }

    @Override
    public void setUseClientMode(boolean mode) {
    }

    @Override
    public boolean getUseClientMode() {
        return false;
    }

    @Override
    public void setNeedClientAuth(boolean need) {
    }

    @Override
    public boolean getNeedClientAuth() {
        return false;
    }

    @Override
    public void setWantClientAuth(boolean want) {
    }

    @Override
    public boolean getWantClientAuth() {
        return false;
    }

    @Override
    public void setEnableSessionCreation(boolean flag) {
    }

    @Override
    public boolean getEnableSessionCreation() {
        return true;
    }

    /** Only the buffer sizes matter to TlsStream. */
    private static final SSLSession SESSION = new SSLSession() {
        @Override public byte[] getId() { return new byte[0]; }
        @Override public SSLSessionContext getSessionContext() { return null; }
        @Override public long getCreationTime() { return 0; }
        @Override public long getLastAccessedTime() { return 0; }
        @Override public void invalidate() { }
        @Override public boolean isValid() { return true; }
        @Override public void putValue(String name, Object value) { }
        @Override public Object getValue(String name) { return null; }
        @Override public void removeValue(String name) { }
        @Override public String[] getValueNames() { return new String[0]; }
        @Override public Certificate[] getPeerCertificates() { return new Certificate[0]; }
        @Override public Certificate[] getLocalCertificates() { return null; }
        @Override public java.security.Principal getPeerPrincipal() { return null; }
        @Override public java.security.Principal getLocalPrincipal() { return null; }
        @Override public String getCipherSuite() { return "NONE"; }
        @Override public String getProtocol() { return "TLSv1.3"; }
        @Override public String getPeerHost() { return null; }
        @Override public int getPeerPort() { return -1; }
        @Override public int getPacketBufferSize() { return HEADER + MAX_PLAINTEXT; }
        @Override public int getApplicationBufferSize() { return MAX_PLAINTEXT; }
    };
}
