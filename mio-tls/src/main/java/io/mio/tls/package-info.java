/**
 * TLS over io.mio: {@link io.mio.tls.TlsStream} wraps a {@link io.mio.net.TcpStream} with the JDK's
 * {@link javax.net.ssl.SSLEngine}, keeping io.mio's non-blocking, edge-triggered contract (read until
 * {@code read} returns 0, register WRITABLE while {@link io.mio.tls.TlsStream#wantsWrite()}), and
 * {@link io.mio.tls.TlsConfig} says what it negotiates (protocols, ALPN, client authentication, host name
 * verification) with the caller's {@link javax.net.ssl.SSLContext}.
 */
package io.mio.tls;
