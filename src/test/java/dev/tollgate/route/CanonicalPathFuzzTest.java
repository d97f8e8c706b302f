package dev.tollgate.route;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tollgate.testsupport.FuzzInputs;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link CanonicalPath} with any byte string as the raw path (bytes read as ISO-8859-1, one char each).
 * Properties: nothing but {@link CanonicalPath.InvalidPathException} is thrown; the same input always gets the
 * same answer; an accepted path is canonical (canonicalising it again changes nothing) and unambiguous, as
 * checked here independently of the implementation: its percent-encoded bytes are well-formed UTF-8 (no
 * overlong or surrogate forms), no segment decodes to a dot segment or holds a slash, backslash, semicolon,
 * percent sign or control character, there is no empty segment but a trailing one, and it means what the raw
 * path meant with dot segments removed (RFC 3986 section 5.2.4).
 */
class CanonicalPathFuzzTest {
    private static final List<String> DICTIONARY = List.of("%2e", "%2E", "%2f", "%5c", "%3b", "%25", "%00", "%0a",
            "%7f", "%41", "%61", "%7e", "%c0%ae", "%C0%AF", "%e0%80%ae", "%f0%80%80%ae", "%c3%a9", "%ed%a0%80",
            "%f4%90%80%80", "%ff", "%80", "/", "//", "/.", "/..", "/./", "/../", "..", ";", "\\", "?", "#", ":", "@");

    @FuzzTest
    @DictionaryEntries({"%2e", "%2f", "%5c", "%3b", "%25", "%00", "%c0%ae", "%C0%AF", "%e0%80%ae", "%ed%a0%80",
        "%f4%90%80%80", "%ff", "%80", "/./", "/../", "..", "\\", ";"})
    void canonicalPath(byte[] data) {
        check(new String(data, StandardCharsets.ISO_8859_1));
    }

    @Test
    void seedsAndTheirVariantsHoldTheProperties() {
        FuzzInputs.run(FuzzInputs.seeds(getClass(), "canonicalPath"), DICTIONARY, 20261202L, 600,
                data -> check(new String(data, StandardCharsets.ISO_8859_1)));
    }

    static void check(String raw) {
        String first = outcome(raw);
        String again = outcome(raw);
        if (!first.equals(again)) {
            throw new AssertionError("two answers for one path: " + first + " / " + again);
        }
        if (first.startsWith("refused: ")) {
            return;
        }
        String canonical = first.substring("accepted: ".length());
        if (!outcome(canonical).equals(first)) {
            throw new AssertionError("not canonical: " + canonical + " becomes " + outcome(canonical));
        }
        List<String> meant = removeDotSegments(decodedSegments(raw, false));
        List<String> segments = decodedSegments(canonical, true);
        if (!meant.equals(segments)) {
            throw new AssertionError("meaning changed: " + meant + " became " + segments);
        }
    }

    /** "accepted: path" or "refused: reason". */
    private static String outcome(String raw) {
        try {
            return "accepted: " + Objects.requireNonNull(CanonicalPath.of(raw));
        } catch (CanonicalPath.InvalidPathException e) {
            return "refused: " + Objects.requireNonNull(e.getMessage());
        }
    }

    /** The segments after the leading slash, each percent-decoded as strict UTF-8; asserts them unambiguous. */
    private static List<String> decodedSegments(String path, boolean canonical) {
        if (!path.startsWith("/")) {
            throw new AssertionError("accepted a path not starting with /");
        }
        String[] raw = path.substring(1).split("/", -1);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < raw.length; i++) {
            String seg = decode(raw[i]);
            if (seg.isEmpty() && i < raw.length - 1) {
                throw new AssertionError("accepted an empty segment");
            }
            if (canonical && (seg.equals(".") || seg.equals(".."))) {
                throw new AssertionError("a dot segment is left");
            }
            if (!raw[i].equals(".") && !raw[i].equals("..") && (seg.equals(".") || seg.equals(".."))) {
                throw new AssertionError("accepted an encoded dot segment");
            }
            for (int j = 0; j < seg.length(); j++) {
                char c = seg.charAt(j);
                if (c == '/' || c == '\\' || c == ';' || c == '%' || c < 0x20 || c == 0x7f) {
                    throw new AssertionError("accepted a segment holding U+" + Integer.toHexString(c));
                }
            }
            out.add(seg);
        }
        return out;
    }

    private static String decode(String seg) {
        byte[] bytes = new byte[seg.length()];
        int n = 0;
        for (int i = 0; i < seg.length(); i++) {
            char c = seg.charAt(i);
            if (c == '%') {
                bytes[n++] = (byte) Integer.parseInt(seg.substring(i + 1, i + 3), 16);
                i += 2;
            } else if (c < 0x80) {
                bytes[n++] = (byte) c;
            } else {
                throw new AssertionError("accepted a raw non-ASCII character");
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Arrays.copyOf(bytes, n))).toString();
        } catch (CharacterCodingException e) {
            throw new AssertionError("accepted percent-encoded bytes that are not UTF-8: " + seg);
        }
    }

    /** RFC 3986 section 5.2.4 on decoded segments; a trailing dot segment leaves a trailing empty one. */
    private static List<String> removeDotSegments(List<String> in) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            String seg = in.get(i);
            boolean last = i == in.size() - 1;
            if (seg.equals("..")) {
                if (out.isEmpty()) {
                    throw new AssertionError("accepted a path climbing above the root");
                }
                out.remove(out.size() - 1);
            } else if (!seg.equals(".")) {
                out.add(seg);
                continue;
            }
            if (last) {
                out.add("");
            }
        }
        return out;
    }
}
