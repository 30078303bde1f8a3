package io.mio.wasi.build;

import org.teavm.diagnostics.Problem;
import org.teavm.diagnostics.ProblemSeverity;
import org.teavm.tooling.TeaVMTargetType;
import org.teavm.tooling.TeaVMTool;
import org.teavm.tooling.TeaVMToolException;
import org.teavm.tooling.TeaVMToolLog;
import org.teavm.vm.TeaVMOptimizationLevel;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The build step that compiles Java programs written against io.mio to wasm32-wasi command modules with
 * TeaVM 0.13.1 ({@code WEBASSEMBLY_WASI}, the last TeaVM release with that target; Maven Central serves no
 * TeaVM Maven plugin for it), at optimisation level SIMPLE (see {@link #compile}). The classes come from this JVM's class path: io.mio's public API from
 * mio-core, the WASI backend and the {@code java.net} / {@code java.nio.channels} substitutes from mio-wasi
 * (whose {@code META-INF/teavm.properties} swaps the backend chooser), and the programs themselves.
 *
 * <p>Usage: {@code WasiBuild OUTDIR MAIN_CLASS=FILE.wasm ...}. Exits 1, printing each problem with the
 * method it was found in, if TeaVM reports a severe problem (typically a JDK class the guest reaches and
 * TeaVM's class library lacks).
 */
public final class WasiBuild {
    private WasiBuild() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: WasiBuild OUTDIR MAIN_CLASS=FILE.wasm ...");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        boolean failed = false;
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                System.err.println("WasiBuild: expected MAIN_CLASS=FILE.wasm, got " + args[i]);
                System.exit(2);
            }
            failed |= !compile(args[i].substring(0, eq), out, args[i].substring(eq + 1));
        }
        System.exit(failed ? 1 : 0);
    }

    /** Compiles one program; true if TeaVM reported no severe problem. */
    static boolean compile(String mainClass, Path outDir, String fileName) {
        long start = System.nanoTime();
        TeaVMTool tool = new TeaVMTool();
        tool.setTargetType(TeaVMTargetType.WEBASSEMBLY_WASI);
        tool.setMainClass(mainClass);
        tool.setTargetDirectory(outDir.toFile());
        tool.setTargetFileName(fileName);
        // ADVANCED and FULL emit invalid wasm for these programs in TeaVM 0.13.1 (a value-stack underflow before
        // the br_table of an exception dispatch; wasm-validate, WasmEdge and Chicory all reject the module).
        tool.setOptimizationLevel(TeaVMOptimizationLevel.SIMPLE);
        tool.setClassLoader(WasiBuild.class.getClassLoader());
        tool.setLog(new QuietLog());
        try {
            tool.generate();
        } catch (TeaVMToolException e) {
            System.err.println("WasiBuild: " + mainClass + ": " + e.getMessage());
            return false;
        }
        boolean ok = true;
        for (Problem p : tool.getProblemProvider().getProblems()) {
            StringBuilder line = new StringBuilder(p.getSeverity() == ProblemSeverity.ERROR ? "error: " : "warning: ");
            String text = p.getText();
            Object[] params = p.getParams();
            for (int k = 0; k < params.length; k++) { // {{c0}} is a class, {{m0}} a method, {{f0}} a field
                text = text.replaceAll("\\{\\{[a-z]" + k + "}}",
                        java.util.regex.Matcher.quoteReplacement(String.valueOf(params[k])));
            }
            line.append(text);
            if (p.getLocation() != null && p.getLocation().getMethod() != null) {
                line.append(" (in ").append(p.getLocation().getMethod()).append(')');
            }
            System.err.println("WasiBuild: " + mainClass + ": " + line);
            ok &= p.getSeverity() != ProblemSeverity.ERROR;
        }
        File wasm = outDir.resolve(fileName).toFile();
        if (ok && wasm.isFile()) {
            try {
                com.dylibso.chicory.wasm.Parser.parse(wasm);
            } catch (RuntimeException e) {
                // TeaVM 0.13.1 sometimes emits a function that fails validation (see compile's comment and
                // mio-wasi/README.md): say so here, not when a host refuses to load the module.
                System.err.println("WasiBuild: " + mainClass + ": TeaVM wrote an invalid module " + wasm + ": "
                        + e.getMessage() + " (wasm-validate names the offset; see mio-wasi/README.md)");
                ok = false;
            }
        }
        if (ok) {
            System.out.printf("WasiBuild: %s -> %s (%d bytes, %d ms)%n", mainClass, wasm, wasm.length(),
                    (System.nanoTime() - start) / 1_000_000);
        }
        return ok && wasm.isFile();
    }

    /** TeaVM's progress chatter is dropped; warnings and errors are printed. */
    private static final class QuietLog implements TeaVMToolLog {
        @Override public void info(String text) {}
        @Override public void debug(String text) {}
        @Override public void warning(String text) { System.err.println("WasiBuild: " + text); }
        @Override public void error(String text) { System.err.println("WasiBuild: " + text); }
        @Override public void info(String text, Throwable e) {}
        @Override public void debug(String text, Throwable e) {}
        @Override public void warning(String text, Throwable e) { System.err.println("WasiBuild: " + text + ": " + e); }
        @Override public void error(String text, Throwable e) { System.err.println("WasiBuild: " + text + ": " + e); }
    }
}
