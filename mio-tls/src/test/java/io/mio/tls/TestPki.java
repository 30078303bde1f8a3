package io.mio.tls;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Certificates made at test time, in memory: a CA and the identities it signs (a server for localhost /
 * 127.0.0.1 / ::1, the same with an expired certificate, one for another host, a client). Nothing is committed;
 * the keys exist only in this JVM and, as PEM files for openssl and curl, in a temporary directory.
 *
 * <p>The certificates are X.509 v3 DER written here (keytool would start a JVM per step: tens of seconds on a busy
 * machine), with ECDSA P-256 keys signed SHA256withECDSA; the JDK's CertificateFactory parses each one back, and
 * openssl and curl verify them in the real-peer tests.
 */
public final class TestPki {
    /** A key pair with its certificate chain (its own certificate first, then the CA's). */
    public record Identity(String name, KeyPair keys, List<X509Certificate> chain) {
        public X509Certificate cert() {
            return chain.getFirst();
        }
    }

    private static TestPki instance;

    public final Identity ca;
    public final Identity server;
    public final Identity expiredServer;
    public final Identity wrongHostServer;
    public final Identity client;
    /** A second CA that signed nothing the tests trust: a peer trusting only it rejects the others. */
    public final Identity otherCa;
    private Path pemDir;

    /** One PKI per test JVM (making keys takes a moment; the tests only read it). */
    public static synchronized TestPki get() {
        if (instance == null) {
            try {
                instance = new TestPki();
                // The JDK opens a descriptor of its own (an unnamed Unix socket) when the first context with key and
                // trust managers is made, and keeps it for the JVM's life: open it now, before any test counts
                // descriptors.
                TlsConfig.of(instance.serverContext());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("could not make the test certificates", e);
            }
        }
        return instance;
    }

    private TestPki() throws GeneralSecurityException {
        Instant now = Instant.now();
        Instant from = now.minus(Duration.ofHours(1));
        Instant until = now.plus(Duration.ofDays(2));
        ca = selfSignedCa("mio test CA", from, until);
        otherCa = selfSignedCa("another test CA", from, until);
        List<String> localNames = List.of("localhost");
        List<String> localIps = List.of("127.0.0.1", "::1");
        server = issued("localhost", localNames, localIps, ServerOrClient.SERVER, from, until);
        expiredServer = issued("localhost (expired)", localNames, localIps, ServerOrClient.SERVER,
                now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1)));
        wrongHostServer = issued("wrong.example", List.of("wrong.example"), List.of(), ServerOrClient.SERVER, from, until);
        client = issued("mio test client", List.of(), List.of(), ServerOrClient.CLIENT, from, until);
    }

    // ---- contexts ---------------------------------------------------------------------------------

    /** A context holding {@code identity}'s key (or none) and trusting {@code trusted} (or nothing). */
    public static SSLContext context(Identity identity, Identity trusted) {
        try {
            KeyManagerFactory kmf = null;
            if (identity != null) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry("key", identity.keys().getPrivate(), new char[0],
                        identity.chain().toArray(X509Certificate[]::new));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, new char[0]);
            }
            TrustManagerFactory tmf = null;
            if (trusted != null) {
                KeyStore ts = KeyStore.getInstance("PKCS12");
                ts.load(null, null);
                ts.setCertificateEntry("ca", trusted.cert());
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ts);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(),
                    // no trust managers given would mean the JDK's cacerts: give an empty trust store instead
                    tmf == null ? emptyTrust() : tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static javax.net.ssl.TrustManager[] emptyTrust() throws GeneralSecurityException, IOException {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        return tmf.getTrustManagers();
    }

    /** The server's context: the localhost certificate, trusting the test CA for client certificates. */
    public SSLContext serverContext() {
        return context(server, ca);
    }

    /** A client's context: no certificate, trusting the test CA. */
    public SSLContext clientContext() {
        return context(null, ca);
    }

    // ---- PEM files ----------------------------------------------------------------------------------

    /**
     * The PEM files for openssl and curl, written once per JVM into a temporary directory deleted at exit:
     * {@code ca.pem}, {@code other-ca.pem}, and for each identity {@code NAME.pem} (chain) and {@code NAME.key}
     * (PKCS#8), NAME being server, expired, wronghost and client.
     */
    public synchronized Path pemDir() {
        if (pemDir == null) {
            try {
                Path dir = Files.createTempDirectory("mio-tls-pki");
                writeCerts(dir.resolve("ca.pem"), ca);
                writeCerts(dir.resolve("other-ca.pem"), otherCa);
                for (var e : List.of(new Object[] {"server", server}, new Object[] {"expired", expiredServer},
                        new Object[] {"wronghost", wrongHostServer}, new Object[] {"client", client})) {
                    Identity id = (Identity) e[1];
                    writeCerts(dir.resolve(e[0] + ".pem"), id);
                    Files.writeString(dir.resolve(e[0] + ".key"),
                            pem("PRIVATE KEY", id.keys().getPrivate().getEncoded()));
                }
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
                pemDir = dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return pemDir;
    }

    private static void writeCerts(Path file, Identity id) throws IOException {
        StringBuilder s = new StringBuilder();
        for (X509Certificate c : id.chain()) {
            try {
                s.append(pem("CERTIFICATE", c.getEncoded()));
            } catch (GeneralSecurityException e) {
                throw new IOException(e);
            }
        }
        Files.writeString(file, s);
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void deleteTree(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a temporary directory: the OS cleans up what is left
        }
    }

    // ---- certificates -------------------------------------------------------------------------------

    private enum ServerOrClient { SERVER, CLIENT }

    private static KeyPair newKeys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private Identity selfSignedCa(String name, Instant from, Instant until) throws GeneralSecurityException {
        KeyPair keys = newKeys();
        byte[] extensions = der(0x30, concat(
                extension(OID_BASIC_CONSTRAINTS, true, der(0x30, der(0x01, new byte[] {(byte) 0xff}))),
                extension(OID_KEY_USAGE, true, new byte[] {0x03, 0x02, 0x01, 0x06}))); // keyCertSign, cRLSign
        X509Certificate cert = sign(name, name, keys.getPublic().getEncoded(), keys, from, until, extensions);
        return new Identity(name, keys, List.of(cert));
    }

    private Identity issued(String name, List<String> dnsNames, List<String> ips, ServerOrClient use,
                            Instant from, Instant until) throws GeneralSecurityException {
        KeyPair keys = newKeys();
        ByteArrayOutputStream san = new ByteArrayOutputStream();
        for (String dns : dnsNames) {
            san.writeBytes(der(0x82, dns.getBytes(StandardCharsets.US_ASCII)));
        }
        for (String ip : ips) {
            try {
                san.writeBytes(der(0x87, InetAddress.getByName(ip).getAddress()));
            } catch (IOException e) {
                throw new IllegalArgumentException(ip, e);
            }
        }
        List<byte[]> exts = new ArrayList<>();
        exts.add(extension(OID_BASIC_CONSTRAINTS, true, der(0x30, new byte[0])));
        exts.add(extension(OID_KEY_USAGE, true, new byte[] {0x03, 0x02, 0x07, (byte) 0x80})); // digitalSignature
        exts.add(extension(OID_EXT_KEY_USAGE, false,
                der(0x30, oid(use == ServerOrClient.SERVER ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2"))));
        if (san.size() > 0) {
            exts.add(extension(OID_SUBJECT_ALT_NAME, false, der(0x30, san.toByteArray())));
        }
        byte[] extensions = der(0x30, concat(exts.toArray(byte[][]::new)));
        X509Certificate cert = sign(name, ca.name(), keys.getPublic().getEncoded(), ca.keys(), from, until, extensions);
        return new Identity(name, keys, List.of(cert, ca.cert()));
    }

    private static final String OID_BASIC_CONSTRAINTS = "2.5.29.19";
    private static final String OID_KEY_USAGE = "2.5.29.15";
    private static final String OID_EXT_KEY_USAGE = "2.5.29.37";
    private static final String OID_SUBJECT_ALT_NAME = "2.5.29.17";
    private static final byte[] ECDSA_WITH_SHA256 = der(0x30, oid("1.2.840.10045.4.3.2"));
    private static final SecureRandom RANDOM = new SecureRandom();

    /** RFC 5280 Certificate: the TBS part, signed with {@code signer}'s private key. */
    private static X509Certificate sign(String subject, String issuer, byte[] subjectPublicKeyInfo, KeyPair signer,
                                        Instant from, Instant until, byte[] extensions) throws GeneralSecurityException {
        byte[] serial = new BigInteger(63, RANDOM).add(BigInteger.ONE).toByteArray();
        byte[] tbs = der(0x30, concat(
                der(0xa0, der(0x02, new byte[] {2})), // v3
                der(0x02, serial),
                ECDSA_WITH_SHA256,
                name(issuer),
                der(0x30, concat(time(from), time(until))),
                name(subject),
                subjectPublicKeyInfo,
                der(0xa3, extensions)));
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(signer.getPrivate());
        s.update(tbs);
        byte[] signature = s.sign();
        byte[] cert = der(0x30, concat(tbs, ECDSA_WITH_SHA256, der(0x03, concat(new byte[] {0}, signature))));
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(cert));
    }

    private static byte[] extension(String oid, boolean critical, byte[] value) {
        return der(0x30, concat(oid(oid), critical ? der(0x01, new byte[] {(byte) 0xff}) : new byte[0], der(0x04, value)));
    }

    /** A Name of one common name. */
    private static byte[] name(String commonName) {
        return der(0x30, der(0x31, der(0x30, concat(oid("2.5.4.3"),
                der(0x0c, commonName.getBytes(StandardCharsets.UTF_8))))));
    }

    private static byte[] time(Instant t) {
        String text = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC).format(t);
        return der(0x17, text.getBytes(StandardCharsets.US_ASCII)); // UTCTime: years before 2050
    }

    private static byte[] oid(String dotted) {
        String[] arcs = dotted.split("\\.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Integer.parseInt(arcs[0]) * 40 + Integer.parseInt(arcs[1]));
        for (int i = 2; i < arcs.length; i++) {
            long arc = Long.parseLong(arcs[i]);
            int groups = Math.max(1, (64 - Long.numberOfLeadingZeros(arc) + 6) / 7);
            for (int g = groups - 1; g >= 0; g--) {
                out.write((int) ((arc >>> (7 * g)) & 0x7f) | (g > 0 ? 0x80 : 0));
            }
        }
        return der(0x06, out.toByteArray());
    }

    /** A DER TLV. */
    private static byte[] der(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n & 0xff);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
