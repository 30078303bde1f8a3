package io.mio.reliability;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The soak's echo server in a process of its own (used when one process cannot hold two descriptors per
 * connection). Prints {@code PORT <port>}; for each stdin line {@code SAMPLE} prints
 * {@code SAMPLE <openFds> <heapAfterGc> <active> <closes> <bytesEchoed> <writableReregistrations> <fatal>};
 * exits at stdin EOF.
 */
@SuppressWarnings("try") // close() may throw InterruptedException: it waits for a thread
public final class EchoServerChild {
    private EchoServerChild() {}

    public static void main(String[] args) throws Exception {
        try (EchoServer server = EchoServer.start(4096, Soak.smallServerBuffers())) {
            System.out.println("PORT " + server.address().getPort());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                if (line.equals("SAMPLE")) {
                    Throwable fatal = server.fatal();
                    System.out.println("SAMPLE " + Footprint.openFds() + " " + Footprint.heapAfterGc() + " "
                            + server.active() + " " + server.closes().size() + " " + server.bytesEchoed() + " "
                            + server.writableReregistrations() + " "
                            + (fatal == null ? "none" : fatal.toString().replace(' ', '_')));
                    System.out.flush();
                }
            }
        }
    }
}
