package io.mio.tls;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What a {@link TlsStream} negotiates: the caller's {@link SSLContext} (keys and trust), and the protocol
 * versions, ALPN protocols, cipher suites, client authentication and host name verification to use with it.
 *
 * <p>Built once with {@link #builder(SSLContext)} and shared by every stream of a client or server:
 *
 * <pre>{@code
 * TlsConfig config = TlsConfig.builder(sslContext)
 *         .protocols("TLSv1.3", "TLSv1.2")
 *         .applicationProtocols("h2", "http/1.1")
 *         .clientAuth(TlsConfig.ClientAuth.WANT)
 *         .build();
 * TlsStream tls = TlsStream.server(accepted, config);
 * }</pre>
 *
 * <p>Defaults: the context's default protocols and cipher suites, no ALPN, no client authentication, and host
 * name verification on for clients ({@code SSLParameters.setEndpointIdentificationAlgorithm("HTTPS")}: the
 * server's certificate must name the host given to {@link TlsStream#client}).
 *
 * <p>Immutable and thread-safe (the builder is not). Creating a stream from it only creates and configures an
 * {@link SSLEngine}: nothing blocks.
 */
public final class TlsConfig {

    /** Whether a server asks the client for a certificate. */
    public enum ClientAuth {
        /** The server does not ask for a client certificate. */
        NONE,
        /** The server asks; a client without a certificate still connects ({@code setWantClientAuth}). */
        WANT,
        /** The server requires one; the handshake fails without it ({@code setNeedClientAuth}). */
        NEED
    }

    private final SSLContext context;
    private final List<String> protocols;            // null: the context's defaults
    private final List<String> cipherSuites;         // null: the context's defaults
    private final List<String> applicationProtocols; // empty: no ALPN
    private final ClientAuth clientAuth;
    private final boolean hostnameVerification;
    private final Consumer<SSLParameters> customizer; // null: none

    private TlsConfig(Builder b) {
        this.context = b.context;
        this.protocols = b.protocols;
        this.cipherSuites = b.cipherSuites;
        this.applicationProtocols = b.applicationProtocols;
        this.clientAuth = b.clientAuth;
        this.hostnameVerification = b.hostnameVerification;
        this.customizer = b.customizer;
    }

    /**
     * A configuration with every default (see the class comment).
     *
     * @param context the keys and trust to use; the caller keeps ownership
     * @return the configuration
     * @throws NullPointerException if {@code context} is null
     */
    public static TlsConfig of(SSLContext context) {
        return builder(context).build();
    }

    /**
     * A builder starting from the defaults.
     *
     * @param context the keys and trust to use (for example {@code SSLContext.getInstance("TLS")} initialised
     *                with the caller's key and trust managers)
     * @return a new builder; not thread-safe
     * @throws NullPointerException if {@code context} is null
     */
    public static Builder builder(SSLContext context) {
        return new Builder(context);
    }

    /**
     * The caller's SSL context, shared by every stream made with this configuration.
     *
     * @return the context
     */
    public SSLContext context() {
        return context;
    }

    /**
     * The protocol versions streams enable.
     *
     * @return the names, or null for the context's defaults
     */
    public List<String> protocols() {
        return protocols;
    }

    /**
     * The cipher suites streams enable.
     *
     * @return the names, or null for the context's defaults
     */
    public List<String> cipherSuites() {
        return cipherSuites;
    }

    /**
     * The ALPN protocols a client offers or a server accepts.
     *
     * @return the names, most preferred first; empty when ALPN is not used
     */
    public List<String> applicationProtocols() {
        return applicationProtocols;
    }

    /**
     * Whether a server asks for client certificates.
     *
     * @return none, want or need
     */
    public ClientAuth clientAuth() {
        return clientAuth;
    }

    /**
     * Whether a client checks that the server's certificate names the host it connects to.
     *
     * @return true if it checks (the default)
     */
    public boolean hostnameVerification() {
        return hostnameVerification;
    }

    /**
     * A configured engine for one connection.
     *
     * @param host the server's host name or IP literal for a client (verification and SNI), null for a server
     */
    SSLEngine newEngine(boolean client, String host) {
        SSLEngine engine = client ? context.createSSLEngine(host, -1) : context.createSSLEngine();
        engine.setUseClientMode(client);
        SSLParameters p = engine.getSSLParameters();
        if (protocols != null) {
            p.setProtocols(protocols.toArray(String[]::new));
        }
        if (cipherSuites != null) {
            p.setCipherSuites(cipherSuites.toArray(String[]::new));
        }
        if (!applicationProtocols.isEmpty()) {
            p.setApplicationProtocols(applicationProtocols.toArray(String[]::new));
        }
        if (client) {
            if (hostnameVerification) {
                p.setEndpointIdentificationAlgorithm("HTTPS");
            }
            // The JDK sends SNI by itself only for names with a dot, so "localhost" or a single-label name would
            // reach the server without one; IP literals never carry SNI (RFC 6066).
            if (!isIpLiteral(host)) {
                p.setServerNames(List.of(new SNIHostName(host)));
            }
        } else {
            switch (clientAuth) {
                case NEED -> p.setNeedClientAuth(true);
                case WANT -> p.setWantClientAuth(true);
                case NONE -> { }
            }
        }
        if (customizer != null) {
            customizer.accept(p);
        }
        engine.setSSLParameters(p);
        return engine;
    }

    /** An IPv6 literal has a colon; an IPv4 literal is four dot-separated decimal numbers. No lookup. */
    static boolean isIpLiteral(String host) {
        if (host.indexOf(':') >= 0) {
            return true;
        }
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "TlsConfig[protocols=" + (protocols == null ? "default" : protocols)
                + ", alpn=" + applicationProtocols + ", clientAuth=" + clientAuth
                + ", hostnameVerification=" + hostnameVerification + "]";
    }

    /**
     * Builds a {@link TlsConfig}. Each setter checks its argument at once, against what the context supports, so
     * that a typo fails here with a message naming it rather than in the middle of a handshake. Not thread-safe.
     */
    public static final class Builder {
        private final SSLContext context;
        private final SSLParameters supported;
        private List<String> protocols;
        private List<String> cipherSuites;
        private List<String> applicationProtocols = List.of();
        private ClientAuth clientAuth = ClientAuth.NONE;
        private boolean hostnameVerification = true;
        private Consumer<SSLParameters> customizer;

        private Builder(SSLContext context) {
            this.context = Objects.requireNonNull(context, "context");
            this.supported = context.getSupportedSSLParameters();
        }

        /**
         * The protocol versions to enable, for example {@code "TLSv1.3", "TLSv1.2"}.
         *
         * @param names one or more names the context supports
         * @return this builder
         * @throws IllegalArgumentException if none is given or one is not supported (the message lists those that are)
         */
        public Builder protocols(String... names) {
            this.protocols = checked("protocol", names, supported.getProtocols());
            return this;
        }

        /**
         * The cipher suites to enable, for example {@code "TLS_AES_128_GCM_SHA256"}.
         *
         * @param names one or more names the context supports
         * @return this builder
         * @throws IllegalArgumentException if none is given or one is not supported
         */
        public Builder cipherSuites(String... names) {
            this.cipherSuites = checked("cipher suite", names, supported.getCipherSuites());
            return this;
        }

        /**
         * ALPN: a client offers these protocols, a server picks one of them that the client offers. The result
         * is {@link TlsStream#applicationProtocol()}.
         *
         * @param names protocol names such as {@code "h2"} and {@code "http/1.1"}, most preferred first; none
         *              turns ALPN off
         * @return this builder
         * @throws IllegalArgumentException if a name is empty or longer than 255 bytes
         */
        public Builder applicationProtocols(String... names) {
            List<String> list = List.of(names); // rejects null elements
            for (String name : list) {
                int length = name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
                if (length == 0 || length > 255) {
                    throw new IllegalArgumentException("ALPN protocol name must be 1 to 255 bytes: '" + name + "'");
                }
            }
            this.applicationProtocols = list;
            return this;
        }

        /**
         * Client authentication for server streams (ignored by clients, whose certificate comes from the
         * context's key manager).
         *
         * @param auth none, want or need
         * @return this builder
         */
        public Builder clientAuth(ClientAuth auth) {
            this.clientAuth = Objects.requireNonNull(auth, "auth");
            return this;
        }

        /**
         * Whether a client checks that the server's certificate names the host given to
         * {@link TlsStream#client} (RFC 2818 rules, as HTTPS does). On by default; turning it off leaves only the
         * trust manager's chain check, which any certificate from a trusted CA passes.
         *
         * @param on true to check
         * @return this builder
         */
        public Builder hostnameVerification(boolean on) {
            this.hostnameVerification = on;
            return this;
        }

        /**
         * A last say over each engine's {@link SSLParameters}, after everything above is applied: SNI matchers on
         * a server, named groups, signature schemes, and the like.
         *
         * @param customizer called once per stream, on the thread that creates it; must not block
         * @return this builder
         */
        public Builder sslParameters(Consumer<SSLParameters> customizer) {
            this.customizer = Objects.requireNonNull(customizer, "customizer");
            return this;
        }

        /**
         * Makes the configuration.
         *
         * @return the configuration; the builder may be used again
         */
        public TlsConfig build() {
            return new TlsConfig(this);
        }

        private static List<String> checked(String what, String[] names, String[] supported) {
            List<String> list = List.of(names); // rejects null elements
            if (list.isEmpty()) {
                throw new IllegalArgumentException("at least one " + what + " is needed");
            }
            List<String> known = Arrays.asList(supported);
            for (String name : list) {
                if (!known.contains(name)) {
                    throw new IllegalArgumentException("unsupported " + what + " '" + name + "'; this context supports "
                            + known);
                }
            }
            return list;
        }
    }
}
