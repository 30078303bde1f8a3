package io.mio.bench;

import io.mio.tls.TlsConfig;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * TLS for the benchmark's TLS echo servers and their load generator: the same protocol and cipher suite for every
 * server (TLS 1.3, {@value #SUITE}, which the client alone offers), a server key made at start-up with keytool
 * (nothing committed), and a client that trusts any certificate (it measures servers, not authentication; the
 * handshakes happen before the measured windows anyway).
 */
final class Tls {
    static final String PROTOCOL = "TLSv1.3";
    static final String SUITE = "TLS_AES_128_GCM_SHA256";
    private static final char[] PASSWORD = "benchmark".toCharArray(); // keytool wants 6 characters or more

    private Tls() {
    }

    /** A key manager factory for a fresh EC P-256 key and self-signed certificate for localhost, made by keytool. */
    static KeyManagerFactory serverKeys() throws IOException, GeneralSecurityException {
        Path dir = Files.createTempDirectory("mio-bench-tls");
        Path store = dir.resolve("server.p12");
        try {
            Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                    "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=localhost", "-ext", "san=dns:localhost,ip:127.0.0.1", "-validity", "2",
                    "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", new String(PASSWORD))
                    .redirectErrorStream(true).start();
            String output = new String(keytool.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (keytool.waitFor() != 0) {
                throw new IOException("keytool failed with status " + keytool.exitValue() + ": " + output.strip());
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, PASSWORD);
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, PASSWORD);
            return kmf;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while keytool ran", e);
        } finally {
            Files.deleteIfExists(store);
            Files.deleteIfExists(dir);
        }
    }

    /** The io.mio TLS server's configuration. */
    static TlsConfig serverConfig() throws IOException, GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(serverKeys().getKeyManagers(), null, null);
        return TlsConfig.builder(context).protocols(PROTOCOL).build();
    }

    private static TlsConfig client;

    /** The load generator's configuration: TLS 1.3 with {@value #SUITE} only, any certificate accepted. */
    static synchronized TlsConfig clientConfig() {
        if (client == null) {
            try {
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, new TrustManager[] {new TrustAll()}, null);
                client = TlsConfig.builder(context).protocols(PROTOCOL).cipherSuites(SUITE)
                        .hostnameVerification(false).build();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return client;
    }

    /** Accepts every server: the benchmark measures the servers' cost, not the client's trust decisions. */
    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    static List<String> protocols() {
        return List.of(PROTOCOL);
    }
}
