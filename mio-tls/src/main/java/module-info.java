/**
 * TLS for Mio for Java: {@link io.mio.tls.TlsStream}, TLS 1.3 and 1.2 over an io.mio
 * {@link io.mio.net.TcpStream}, driven by the JDK's {@link javax.net.ssl.SSLEngine} with io.mio's
 * non-blocking, edge-triggered contract; {@link io.mio.tls.TlsConfig} configures it.
 *
 * <p>The examples {@code io.mio.tls.examples.TlsEchoServer} and {@code TlsClient} are in this module but not
 * exported: run them with {@code --module io.mio.tls/io.mio.tls.examples.TlsEchoServer}.
 */
module io.mio.tls {
    requires transitive io.mio;

    exports io.mio.tls;
}
