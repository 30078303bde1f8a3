package io.mio.bench;

import io.mio.wasm.NetPolicy;
import io.mio.wasm.WasmRunner;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A WebAssembly echo guest of mio-wasm's tests, run under mio-wasm ({@link WasmRunner}: Chicory, the module
 * compiled to JVM bytecode at start-up, every socket call and poll served by io.mio), in a sandbox that
 * allows binding 127.0.0.1 only. The guests are the benchmark's own {@code echo_guest.wasm} (src/main/wasm;
 * a trailing {@code poll} argument makes it wait with poll_oneoff instead of epoll_oneoff),
 * {@code mio_style_server.wasm} (Rust, mio_wasi's call shapes;
 * a trailing {@code epoll} argument makes it wait with epoll_oneoff instead of poll_oneoff) and
 * {@code poll_server.wasm} (C on wasi-libc's poll(), at most 16 connections). Both take {@code PORT COUNT}
 * and print {@code listening <port>} once bound; this main turns that line into the harness's
 * {@code READY <port>} and drops the guest's other lines ({@code peer <port>} per connection) except errors,
 * which go to stderr (the server log).
 *
 * <p>With {@value #WASI_EXAMPLE} the guest is a file instead: a program of mio-examples compiled to wasm32-wasi
 * by TeaVM with io.mio's WASI backend ({@link WasiExamples}), run as a user runs it, with the port as its only
 * argument; TcpServer's line {@code " $ nc HOST PORT"} is the one that becomes {@code READY <port>}, its other
 * lines go to stderr.
 *
 * <p>Usage: {@code WasmEchoServer GUEST.wasm [epoll|poll] PORT} or {@code WasmEchoServer --wasi-example FILE.wasm PORT}.
 */
public final class WasmEchoServer {
    private WasmEchoServer() {
    }

    /** The option that names a compiled mio-wasi-examples program by its path. */
    static final String WASI_EXAMPLE = "--wasi-example";

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: WasmEchoServer GUEST.wasm [epoll|poll] PORT");
            System.exit(2);
        }
        boolean wasiExample = args[0].equals(WASI_EXAMPLE);
        if (wasiExample && args.length != 3) {
            System.err.println("usage: WasmEchoServer --wasi-example FILE.wasm PORT");
            System.exit(2);
        }
        String guest = args[0];
        String port = args[args.length - 1];
        byte[] wasm;
        List<String> argv;
        if (wasiExample) {
            Path file = Path.of(args[1]);
            wasm = Files.readAllBytes(file);
            argv = List.of(file.getFileName().toString(), port);
        } else {
            try (InputStream in = WasmEchoServer.class.getResourceAsStream("wasm/" + guest)) {
                if (in == null) {
                    throw new IOException("no guest " + guest + " in io/mio/bench/wasm");
                }
                wasm = in.readAllBytes();
            }
            argv = new ArrayList<>(List.of(guest, port, "1000000000")); // serve ~forever
            argv.addAll(List.of(args).subList(1, args.length - 1));
        }
        try (WasmRunner runner = WasmRunner.builder(wasm)
                .args(argv)
                .policy(NetPolicy.builder().allowBind("127.0.0.1:*").maxSockets(20_000).build())
                .stdin(InputStream.nullInputStream())
                .stdout(new ListeningLine())
                .stderr(System.err)
                .build()) {
            int code = runner.run();
            System.err.println("guest exited with " + code);
            System.exit(code);
        }
    }

    /**
     * The guest's stdout: announces the port at "listening N" (or, from TcpServer, " $ nc HOST N"), drops
     * "peer ..." lines, passes the others to stderr.
     */
    private static final class ListeningLine extends OutputStream {
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        @Override
        public void write(int b) {
            if (b != '\n') {
                line.write(b);
                return;
            }
            String s = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (s.startsWith("listening ")) {
                ServerSupport.ready(Integer.parseInt(s.substring(10).trim()));
            } else if (WasiExamples.ncPort(s) > 0) {
                ServerSupport.ready(WasiExamples.ncPort(s));
            } else if (!s.startsWith("peer ")) {
                System.err.println("guest: " + s);
            }
        }
    }
}
