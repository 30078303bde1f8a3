/**
 * The flight recorder's view of io.mio: the {@code io.mio.PollWait} and {@code io.mio.Registration} events and the
 * {@link io.mio.internal.spi.Telemetry} that emits them for the JVM backends. Not exported (only to jdk.jfr, which
 * instruments the event classes).
 */
package io.mio.internal.jfr;
