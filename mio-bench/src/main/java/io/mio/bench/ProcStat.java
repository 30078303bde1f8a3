package io.mio.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and memory of a process, from {@code /proc/<pid>/stat} and {@code /proc/<pid>/status}. */
record ProcStat(long utimeTicks, long stimeTicks, long rssKiB) {
    /** Clock ticks per second of utime/stime (USER_HZ); 100 on every usual Linux build. */
    static final long CLOCK_TICKS = clockTicks();

    static ProcStat read(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        long utime = Long.parseLong(f[11]); // field 14
        long stime = Long.parseLong(f[12]); // field 15
        long rss = 0;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
            }
        }
        return new ProcStat(utime, stime, rss);
    }

    /** A process's open-file limit (RLIMIT_NOFILE), {@code Long.MAX_VALUE} for unlimited. */
    record FdLimit(long soft, long hard) {
    }

    /** The open-file limit of {@code pid}, from {@code /proc/<pid>/limits}. */
    static FdLimit openFileLimit(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "limits"))) {
            if (line.startsWith("Max open files")) {
                String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                return new FdLimit(limit(f[0]), limit(f[1]));
            }
        }
        throw new IOException("no open-file limit in /proc/" + pid + "/limits");
    }

    private static long limit(String s) {
        return s.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(s);
    }

    /**
     * CPU ticks (user + system) used so far by the JIT compiler threads of the JVM {@code pid} (threads named
     * "C1 CompilerThre..." or "C2 CompilerThre...", the kernel's 15-character cut of HotSpot's names); 0 for a
     * process without them. A thread that ends between listing and reading is skipped.
     */
    static long compilerTicks(long pid) throws IOException {
        long ticks = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException ended) {
                    continue;
                }
                int open = stat.indexOf('(');
                int close = stat.lastIndexOf(')');
                String comm = stat.substring(open + 1, close);
                if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
                    String[] f = stat.substring(close + 2).trim().split(" ");
                    ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                }
            }
        }
        return ticks;
    }

    /** How many file descriptors {@code pid} has open now. */
    static int openFds(long pid) throws IOException {
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return (int) fds.count();
        }
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return Long.parseLong(out);
        } catch (IOException | InterruptedException | NumberFormatException e) {
            return 100;
        }
    }
}
