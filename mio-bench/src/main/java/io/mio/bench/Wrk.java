package io.mio.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs Debian's {@code wrk} (the HTTP part's load generator: nobody here wrote it) and reads its report. One wrk
 * thread: the harness runs pinned to the CPU the servers do not use, and wrk inherits that.
 */
final class Wrk {
    /**
     * TechEmpower's pipelining script: each connection sends {@code depth} requests in one write, then waits for
     * their answers (wrk counts every answer as a request).
     */
    static final String PIPELINE_LUA = """
            init = function(args)
              local r = {}
              local depth = tonumber(args[1]) or 1
              for i = 1, depth do
                r[i] = wrk.format()
              end
              req = table.concat(r)
            end
            request = function()
              return req
            end
            """;

    private Wrk() {
    }

    /** What wrk reported for one run. Latencies in µs; errors: connect, read, write and timeout errors. */
    record Result(long requests, double seconds, double requestsPerSecond, double p50Micros, double p75Micros,
                  double p90Micros, double p99Micros, long socketErrors, long non2xx, String output) {
    }

    /** The wrk on the PATH, or null. */
    static Path path() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir, "wrk");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** wrk's version line, e.g. {@code wrk debian/4.1.0-3+b2 [epoll]}; "not installed" without wrk. */
    static String version() {
        Path wrk = path();
        if (wrk == null) {
            return "not installed";
        }
        try {
            Process p = new ProcessBuilder(wrk.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            String first = out.lines().findFirst().orElse("?");
            int copyright = first.indexOf(" Copyright");
            return (copyright > 0 ? first.substring(0, copyright) : first).trim();
        } catch (IOException e) {
            return "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    /**
     * Runs wrk against {@code url} with {@code connections} connections for {@code duration} (whole seconds, at
     * least one), {@code pipeline} requests in flight per connection (1: none pipelined).
     *
     * @throws IOException if wrk is missing, fails, or prints no report
     */
    static Result run(String url, int connections, Duration duration, int pipeline, Path work) throws IOException {
        Path wrk = path();
        if (wrk == null) {
            throw new IOException("wrk is not installed (Debian package wrk; scripts/bench.sh installs it)");
        }
        long seconds = Math.max(1, (duration.toMillis() + 500) / 1000);
        List<String> cmd = new ArrayList<>(List.of(wrk.toString(), "-t1", "-c" + connections, "-d" + seconds + "s",
                "--latency", "--timeout", "10s"));
        if (pipeline > 1) {
            Files.createDirectories(work);
            Path script = work.resolve("pipeline.lua");
            Files.writeString(script, PIPELINE_LUA);
            cmd.addAll(List.of("-s", script.toString(), url, "--", Integer.toString(pipeline)));
        } else {
            cmd.add(url);
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(seconds + 60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("wrk did not finish: " + out);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while wrk ran", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException("wrk exited with " + p.exitValue() + ": " + out.trim());
        }
        return parse(out);
    }

    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in ([0-9.]+)(us|ms|s|m)");
    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s+(50|75|90|99)%\\s+([0-9.]+)(us|ms|s|m)\\s*$",
            Pattern.MULTILINE);
    private static final Pattern SOCKET_ERRORS =
            Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

    /** Reads wrk's report (run with {@code --latency}). */
    static Result parse(String out) throws IOException {
        Matcher requests = REQUESTS.matcher(out);
        Matcher rate = RATE.matcher(out);
        if (!requests.find() || !rate.find()) {
            throw new IOException("no request count in wrk's output: " + out.trim());
        }
        double[] percentiles = new double[4];
        java.util.Arrays.fill(percentiles, Double.NaN);
        Matcher m = PERCENTILE.matcher(out);
        while (m.find()) {
            int i = switch (m.group(1)) {
                case "50" -> 0;
                case "75" -> 1;
                case "90" -> 2;
                default -> 3;
            };
            double value = micros(Double.parseDouble(m.group(2)), m.group(3));
            // wrk 4.1 prints 0.00us for the percentiles its histogram lost (seen with pipelined requests to a slow
            // server, under a non-zero median): no answer takes no time, so that is "unknown".
            percentiles[i] = value > 0 ? value : Double.NaN;
        }
        long socketErrors = 0;
        Matcher errors = SOCKET_ERRORS.matcher(out);
        if (errors.find()) {
            for (int g = 1; g <= 4; g++) {
                socketErrors += Long.parseLong(errors.group(g));
            }
        }
        Matcher non2xx = NON_2XX.matcher(out);
        return new Result(Long.parseLong(requests.group(1)),
                micros(Double.parseDouble(requests.group(2)), requests.group(3)) / 1e6,
                Double.parseDouble(rate.group(1)), percentiles[0], percentiles[1], percentiles[2], percentiles[3],
                socketErrors, non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0, out);
    }

    private static double micros(double value, String unit) {
        return switch (unit.toLowerCase(Locale.ROOT)) {
            case "us" -> value;
            case "ms" -> value * 1e3;
            case "s" -> value * 1e6;
            case "m" -> value * 60e6;
            default -> throw new IllegalArgumentException("time unit " + unit);
        };
    }
}
