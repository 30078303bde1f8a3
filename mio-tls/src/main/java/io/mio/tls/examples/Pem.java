package io.mio.tls.examples;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/**
 * Keys and certificates from PEM files, as rustls's examples take them: {@code --certs} (a chain, the server's or
 * client's own certificate first), {@code --key} (an unencrypted PKCS#8 private key, "BEGIN PRIVATE KEY", which
 * {@code openssl req -nodes} writes) and {@code --cafile} (the certificates to trust).
 */
final class Pem {
    private Pem() {}

    /** An SSL context with the given key (or none) and trust (null: the JDK's default trusted CAs). */
    static SSLContext context(Path certs, Path key, Path trusted) throws IOException, GeneralSecurityException {
        KeyManager[] km = certs == null ? null : keyManagers(certs, key);
        TrustManager[] tm = trusted == null ? null : trustManagers(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(km, tm, null);
        return context;
    }

    static List<? extends Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            List<? extends Certificate> certs = List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
            if (certs.isEmpty()) {
                throw new IllegalArgumentException(file + ": no certificate in it");
            }
            return certs;
        }
    }

    static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN PRIVATE KEY-----";
        int start = text.indexOf(begin);
        int end = text.indexOf("-----END PRIVATE KEY-----");
        if (start < 0 || end < start) {
            throw new IllegalArgumentException(file + ": no unencrypted PKCS#8 key (\"BEGIN PRIVATE KEY\"); convert it "
                    + "with: openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem");
        }
        byte[] der = Base64.getMimeDecoder().decode(text.substring(start + begin.length(), end));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : List.of("EC", "RSA", "Ed25519", "Ed448", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException notThisOne) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException(file + ": a private key of an algorithm this example does not know");
    }

    private static KeyManager[] keyManagers(Path certs, Path key) throws IOException, GeneralSecurityException {
        if (key == null) {
            throw new IllegalArgumentException("a certificate chain needs its private key (--key)");
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("key", privateKey(key), new char[0], certificates(certs).toArray(Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        return kmf.getKeyManagers();
    }

    private static TrustManager[] trustManagers(Path file) throws IOException, GeneralSecurityException {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        int i = 0;
        for (Certificate c : certificates(file)) {
            ts.setCertificateEntry("ca" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        return tmf.getTrustManagers();
    }
}
