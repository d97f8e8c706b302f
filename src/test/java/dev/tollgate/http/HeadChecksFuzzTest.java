package dev.tollgate.http;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tollgate.config.LimitsConfig;
import dev.tollgate.testsupport.FuzzInputs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link HeadChecks} with any byte string read as a request head (ISO-8859-1): a request line
 * {@code METHOD target protocol}, then one {@code name:value} field a line, nothing trimmed. Properties:
 * nothing throws; the same head always gets the same answer; a refusal is one of the gateway's statuses and
 * closes the connection; and an accepted head is unambiguous, as checked here independently of the
 * implementation: every field name is an RFC 9110 token (past HTTP/1 also a pseudo-header), no value holds a
 * control character, the limits hold, and on HTTP/1 there is exactly one well-formed Host naming the server
 * and one reading of the body length (RFC 9112 section 6.3: not both Content-Length and Transfer-Encoding, one decimal Content-Length, or
 * Transfer-Encoding exactly {@code chunked} on HTTP/1.1); an OPTIONS head that declares a body by any
 * Content-Length but 0 or by Transfer-Encoding has a Content-Type.
 */
class HeadChecksFuzzTest {
    private static final LimitsConfig LIMITS = new LimitsConfig(200, 12, true, 1024, 0, Duration.ZERO);
    private static final HeadChecks CHECKS = new HeadChecks(LIMITS);
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern LENGTH = Pattern.compile("[ \t]*[0-9]{1,18}[ \t]*");
    private static final Pattern CHUNKED = Pattern.compile("[ \t]*chunked[ \t]*", Pattern.CASE_INSENSITIVE);
    private static final Set<Integer> STATUSES = Set.of(400, 414, 431, 501);
    private static final List<String> DICTIONARY = List.of("\nHost:", "\nhost:", "\nContent-Length:",
            "\ncontent-length:", "\nTransfer-Encoding:", "\nTransfer-Encoding :", "\n Transfer-Encoding:",
            "chunked", "CHUNKED", "gzip, chunked", "HTTP/1.0", "HTTP/1.1", "HTTP/2.0", "OPTIONS", "CONNECT",
            "\nContent-Type:", "http://", "[::1]", ":8080", "\r", "\t", "\u0000", "_", "0", "99999999999999999999");

    @FuzzTest
    @DictionaryEntries({"Host:", "Content-Length:", "Transfer-Encoding:", "content-length:", "chunked",
        "HTTP/1.0", "HTTP/1.1", "HTTP/2.0", "OPTIONS", "CONNECT", "Content-Type:", "http://", "[::1]"})
    void requestHead(byte[] data) {
        check(data);
    }

    @Test
    void seedsAndTheirVariantsHoldTheProperties() {
        FuzzInputs.run(FuzzInputs.seeds(getClass(), "requestHead"), DICTIONARY, 20261202L, 600,
                HeadChecksFuzzTest::check);
    }

    static void check(byte[] data) {
        ReceivedHead head = parse(new String(data, StandardCharsets.ISO_8859_1));
        Optional<Rejection> answer = CHECKS.check(head);
        Optional<Rejection> again = new HeadChecks(LIMITS).check(parse(new String(data, StandardCharsets.ISO_8859_1)));
        if (!answer.equals(again) || !answer.equals(CHECKS.check(head))) {
            throw new AssertionError("two answers for one head: " + answer + " / " + again);
        }
        if (answer.isPresent()) {
            Rejection r = answer.get();
            if (!STATUSES.contains(r.status()) || !r.close() || r.detail().isEmpty()) {
                throw new AssertionError("unexpected refusal " + r);
            }
            return;
        }
        assertUnambiguous(head);
    }

    /** Request line, then fields; a missing part of the request line is left empty. */
    static ReceivedHead parse(String text) {
        String[] lines = text.split("\n", -1);
        String[] start = lines[0].split(" ", 3);
        String method = start[0];
        String target = start.length > 1 ? start[1] : "";
        String protocol = start.length > 2 ? start[2] : "";
        List<HeaderField> fields = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            fields.add(colon < 0 ? new HeaderField(lines[i], "")
                    : new HeaderField(lines[i].substring(0, colon), lines[i].substring(colon + 1)));
        }
        return new ReceivedHead(method, target, protocol, serverName(target, fields), fields);
    }

    /** The authority of an absolute-form target, else the first Host up to a colon, else {@code localhost}. */
    private static String serverName(String target, List<HeaderField> fields) {
        int scheme = target.indexOf("://");
        if (scheme > 0) {
            int end = target.indexOf('/', scheme + 3);
            String authority = target.substring(scheme + 3, end < 0 ? target.length() : end);
            int port = authority.lastIndexOf(':');
            return (port > 0 && !authority.endsWith("]") ? authority.substring(0, port) : authority)
                    .toLowerCase(Locale.ROOT);
        }
        for (HeaderField f : fields) {
            if (f.name().equalsIgnoreCase("host")) {
                String v = f.value();
                int port = v.lastIndexOf(':');
                return (port > 0 && !v.endsWith("]") ? v.substring(0, port) : v).toLowerCase(Locale.ROOT);
            }
        }
        return "localhost";
    }

    private static void assertUnambiguous(ReceivedHead head) {
        require(!head.method().equals("CONNECT"), "CONNECT accepted");
        require(head.target().length() <= LIMITS.maxUriLength(), "long target accepted");
        require(head.fields().size() <= LIMITS.maxHeaderCount(), "too many fields accepted");
        List<String> hosts = new ArrayList<>();
        List<String> lengths = new ArrayList<>();
        List<String> codings = new ArrayList<>();
        boolean contentType = false;
        for (HeaderField f : head.fields()) {
            boolean pseudo = !head.protocol().startsWith("HTTP/1.") && f.name().startsWith(":");
            require(TOKEN.matcher(pseudo ? f.name().substring(1) : f.name()).matches(),
                    "field name that is not a token accepted: " + f.name());
            require(f.name().indexOf('_') < 0, "underscore accepted");
            require(f.value().chars().noneMatch(c -> c < 0x20 && c != '\t' || c == 0x7f), "control accepted");
            switch (f.name().toLowerCase(Locale.ROOT)) {
                case "host" -> hosts.add(f.value());
                case "content-length" -> lengths.add(f.value());
                case "transfer-encoding" -> codings.add(f.value());
                case "content-type" -> contentType = true;
                default -> { }
            }
        }
        boolean body = !codings.isEmpty() || lengths.stream().anyMatch(v -> !LENGTH.matcher(v).matches()
                || !v.trim().chars().allMatch(c -> c == '0'));
        require(!head.method().equals("OPTIONS") || contentType || !body, "OPTIONS body without a type accepted");
        if (!head.protocol().startsWith("HTTP/1.")) {
            return;
        }
        require(hosts.size() == 1, hosts.size() + " Host fields accepted");
        String host = HeadChecks.hostName(hosts.get(0));
        require(host != null && host.equalsIgnoreCase(head.serverName()), "Host not naming the server accepted");
        require(lengths.isEmpty() || codings.isEmpty(), "Content-Length with Transfer-Encoding accepted");
        require(lengths.size() <= 1, "two Content-Lengths accepted");
        require(lengths.stream().allMatch(v -> LENGTH.matcher(v).matches()), "malformed Content-Length accepted");
        require(codings.size() <= 1 && codings.stream().allMatch(v -> CHUNKED.matcher(v).matches()),
                "Transfer-Encoding other than chunked accepted");
        require(codings.isEmpty() || !head.protocol().equals("HTTP/1.0"), "Transfer-Encoding on HTTP/1.0 accepted");
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
