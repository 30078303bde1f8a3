package io.mio.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** One successful {@code Registry} call. Filled by {@link JfrTelemetry}. */
@Name("io.mio.Registration")
@Label("Registration")
@Category("Mio")
@Description("A source registered, reregistered or deregistered with an io.mio Poll")
public final class RegistrationEvent extends Event {
    @Label("Operation")
    @Description("register, reregister or deregister")
    String operation;

    @Label("Source")
    @Description("The source's class, for example TcpStream")
    String source;

    @Label("Token")
    @Description("The token's value; 0 for deregister")
    long token;

    @Label("Interest")
    @Description("READABLE, WRITABLE, ... joined by |; absent for deregister")
    String interest;
}
