package io.mio;

/**
 * Implemented by the exceptions this library throws for a failed system call: the operating system's error
 * code behind them, as Rust's {@code io::Error::raw_os_error}.
 *
 * <p>The exceptions themselves are the JDK's types ({@link java.net.BindException},
 * {@link java.net.ConnectException}, {@link java.net.SocketException}, {@link java.io.IOException}, ...);
 * test for this interface to get the code:
 *
 * <pre>{@code
 * try {
 *     stream.read(buffer);
 * } catch (IOException e) {
 *     if (e instanceof OsError os && os.osErrorName().equals("ECONNRESET")) { ... }
 * }
 * }</pre>
 *
 * <p>On the {@link Backend#SELECTOR} backend failures come from the JDK's channels, which carry no error
 * code: those exceptions do not implement this interface.
 */
public interface OsError {
    /** The raw error code, on Linux the {@code errno} value (for example 104 for ECONNRESET). */
    int rawOsError();

    /** The error code's symbolic name, for example {@code "ECONNRESET"}, or {@code "errno N"} if unknown. */
    String osErrorName();
}
