package io.mio.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** One {@code Poll.poll}: how long it waited and what it returned. Filled by {@link JfrTelemetry}. */
@Name("io.mio.PollWait")
@Label("Poll Wait")
@Category("Mio")
@Description("One io.mio Poll.poll call: the wait's duration, the events it returned and the timeout it was given")
@StackTrace(false) // one per poll on the event loop's thread: the thread says which loop, a stack would cost each poll
public final class PollWaitEvent extends Event {
    @Label("Events")
    @Description("Events returned; 0 for an elapsed timeout or a wait a signal cut short")
    int events;

    @Label("Timeout")
    @Description("The timeout asked, rounded up to whole milliseconds; Forever for none (wait until an event or a wake)")
    @Timespan(Timespan.MILLISECONDS)
    long timeout;

    @Label("Backend")
    @Description("The Poll's backend: EPOLL, URING or SELECTOR")
    String backend;
}
