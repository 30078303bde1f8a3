package io.mio.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the benchmark does with the output of a process it started (a wasm runtime, a guest host). */
final class ChildOutput {
    private ChildOutput() {
    }

    /** Reads what the process prints from now on, on a daemon thread, so that a full pipe never blocks it. */
    static void discardInBackground(BufferedReader out) {
        Thread t = new Thread(() -> {
            try {
                out.transferTo(java.io.Writer.nullWriter());
            } catch (IOException ignored) {
                // the process is gone
            }
        });
        t.setDaemon(true);
        t.start();
    }

    /** The last five lines of the process's stderr log, on one line, for an error message. */
    static String lastLines(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return lines.isEmpty() ? "(nothing on stderr)"
                    : String.join(" / ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
