/** Runnable examples of Mio for Java. */
module io.mio.examples {
    requires io.mio;
}
