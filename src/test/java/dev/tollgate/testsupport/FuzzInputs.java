package dev.tollgate.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The plain-JUnit half of a fuzz test: the checked-in seed inputs of a Jazzer {@code @FuzzTest} (its
 * {@code <Class>Inputs/<method>} resource directory) and a fixed-seed series of variants made from them by
 * the mutations a fuzzer uses (byte changes, dictionary words, cuts, copies, splices). The same seed always
 * gives the same variants, so a failure found this way repeats. Stateless.
 */
public final class FuzzInputs {
    private FuzzInputs() {
    }

    /** The seed inputs of {@code method} of fuzz test class {@code test}, sorted by file name. */
    public static List<byte[]> seeds(Class<?> test, String method) {
        URL dir = test.getResource(test.getSimpleName() + "Inputs/" + method);
        if (dir == null) {
            throw new IllegalStateException("no seed inputs for " + test.getSimpleName() + "#" + method);
        }
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            List<byte[]> out = new ArrayList<>();
            for (Path p : files.sorted().toList()) {
                out.add(Files.readAllBytes(p));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs {@code target} on every seed and then on {@code tries} variants of them; a variant that makes the
     * target fail is reported in the assertion error (as ISO-8859-1 text, escaped) with the try that made it.
     */
    public static void run(List<byte[]> seeds, List<String> dictionary, long seed, int tries, Consumer<byte[]> target) {
        for (byte[] s : seeds) {
            attempt(target, s, "seed");
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < tries; i++) {
            byte[] input = seeds.get(random.nextInt(seeds.size()));
            int rounds = 1 + random.nextInt(4);
            for (int r = 0; r < rounds; r++) {
                input = mutate(input, seeds, dictionary, random);
            }
            attempt(target, input, "try " + i + " of seed " + seed);
        }
    }

    private static void attempt(Consumer<byte[]> target, byte[] input, String which) {
        try {
            target.accept(input);
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError(which + " failed on input \"" + escape(input) + "\": " + e, e);
        }
    }

    static byte[] mutate(byte[] in, List<byte[]> seeds, List<String> dictionary, SplittableRandom random) {
        int at = in.length == 0 ? 0 : random.nextInt(in.length + 1);
        switch (random.nextInt(6)) {
            case 0: // change one byte
                if (in.length == 0) {
                    return new byte[] {(byte) random.nextInt(256)};
                }
                byte[] changed = in.clone();
                changed[Math.min(at, in.length - 1)] = (byte) random.nextInt(256);
                return changed;
            case 1: // insert a dictionary word
                return splice(in, at, at, dictionary.get(random.nextInt(dictionary.size()))
                        .getBytes(StandardCharsets.ISO_8859_1));
            case 2: // cut a range
                return splice(in, at, Math.min(in.length, at + 1 + random.nextInt(8)), new byte[0]);
            case 3: // copy a range of itself elsewhere
                int from = in.length == 0 ? 0 : random.nextInt(in.length);
                int to = Math.min(in.length, from + 1 + random.nextInt(16));
                return splice(in, at, at, Arrays.copyOfRange(in, from, to));
            case 4: // the head of this input, the tail of another seed
                byte[] other = seeds.get(random.nextInt(seeds.size()));
                int cut = other.length == 0 ? 0 : random.nextInt(other.length + 1);
                return splice(in, at, in.length, Arrays.copyOfRange(other, cut, other.length));
            default: // an interesting byte: a delimiter or a boundary value
                byte[] interesting = {0, '\t', '\n', '\r', ' ', '%', '.', '/', ':', ';', '\\', 0x7f, (byte) 0x80,
                    (byte) 0xc0, (byte) 0xff};
                return splice(in, at, at, new byte[] {interesting[random.nextInt(interesting.length)]});
        }
    }

    private static byte[] splice(byte[] in, int from, int to, byte[] insert) {
        byte[] out = new byte[in.length - (to - from) + insert.length];
        System.arraycopy(in, 0, out, 0, from);
        System.arraycopy(insert, 0, out, from, insert.length);
        System.arraycopy(in, to, out, from + insert.length, in.length - to);
        return out;
    }

    /** Printable ASCII as is, everything else as {@code \xNN}. */
    public static String escape(byte[] input) {
        StringBuilder sb = new StringBuilder();
        for (byte b : input) {
            int c = b & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        return sb.toString();
    }
}
