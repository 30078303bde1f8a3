package io.mio.wasm;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The file {@code mio-wasm run-all FILE} reads: one guest per line, {@code NAME: [run options] APP [ARGS...]}, the
 * options and arguments of {@code mio-wasm run}, split into words as a shell would split them (blanks separate,
 * {@code '...'} keeps everything literally, {@code "..."} keeps blanks and takes {@code \"} and {@code \\}, a
 * backslash outside quotes keeps the next character); blank lines and lines starting with {@code #} are skipped.
 * NAME is letters, digits, {@code _ -} (no dot: copy i of NAME is {@code NAME.i}), unique in the file. Only the parsing; {@code Main.RunAll} runs it.
 * Stateless: thread-safe.
 */
final class GuestsFile {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private GuestsFile() {
    }

    /** One guest line: its number in the file (from 1), its name and its words after the name. */
    record Line(int number, String name, List<String> words) {
    }

    /** A line that is not a guest line; {@code number} is its line number. */
    static final class BadLine extends IllegalArgumentException {
        final int number;

        BadLine(int number, String message) {
            super(message);
            this.number = number;
        }
    }

    /**
     * The guest lines of {@code text}.
     *
     * @throws BadLine for the first line without {@code NAME:}, with a bad or repeated name, an unclosed quote, or
     *                 nothing after the name
     */
    static List<Line> parse(String text) {
        List<Line> lines = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int number = 0;
        for (String raw : text.split("\r?\n", -1)) {
            number++;
            String l = raw.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int colon = l.indexOf(':');
            String name = colon < 0 ? "" : l.substring(0, colon).strip();
            if (colon < 0 || !NAME.matcher(name).matches()) {
                throw new BadLine(number, "a guest line is NAME: [options] APP [ARGS...] with NAME of letters, digits,"
                        + " _ - (at most 64), not: " + l);
            }
            if (!names.add(name)) {
                throw new BadLine(number, "the name " + name + " is taken by an earlier line");
            }
            List<String> words = words(l.substring(colon + 1), number);
            if (words.isEmpty()) {
                throw new BadLine(number, name + " names no .wasm file");
            }
            lines.add(new Line(number, name, words));
        }
        return lines;
    }

    /** {@code s} split into words (see the class comment). */
    static List<String> words(String s, int number) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                int end = i + 1;
                while (end < s.length() && s.charAt(end) != c) {
                    if (c == '"' && s.charAt(end) == '\\' && end + 1 < s.length()
                            && (s.charAt(end + 1) == '"' || s.charAt(end + 1) == '\\')) {
                        end++;
                    }
                    w.append(s.charAt(end));
                    end++;
                }
                if (end == s.length()) {
                    throw new BadLine(number, "the quote " + c + " at column " + (i + 1) + " is not closed");
                }
                i = end;
                inWord = true;
            } else if (c == '\\' && i + 1 < s.length()) {
                w.append(s.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
            } else {
                w.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(w.toString());
        }
        return words;
    }
}
