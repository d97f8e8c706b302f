package dev.tollgate.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.cors.CorsPolicy;
import dev.tollgate.http.HeaderNames;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The gateway's own answers: {@code application/problem+json} (RFC 9457) with the status, a title, a detail
 * and the request id. Never a stack trace, an exception name or an internal host. On a CORS route they carry the
 * route's CORS headers, so that a script of an allowed origin can read them. Stateless.
 */
public final class Problems {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Problems() {
    }

    /**
     * Replaces whatever response was being prepared with a problem.
     *
     * @param close ask the container to close the connection afterwards (RFC 9112 §9.6)
     * @param headers extra name-value pairs, e.g. {@code Retry-After}
     */
    public static void send(HttpServletRequest req, HttpServletResponse res, int status, String title, String detail,
                            boolean close, String... headers) throws IOException {
        if (res.isCommitted()) {
            throw new IOException("response already committed; aborting instead of answering " + status);
        }
        res.reset();
        String id = RequestAttributes.requestId(req);
        if (id != null) {
            res.setHeader(HeaderNames.REQUEST_ID, id);
        }
        if (close) {
            res.setHeader(HeaderNames.CONNECTION, "close");
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            res.setHeader(headers[i], headers[i + 1]);
        }
        RequestContext ctx = RequestAttributes.context(req);
        CorsPolicy cors = ctx == null ? null : ctx.route().cors();
        if (cors != null) {
            cors.actual(req.getHeader(CorsPolicy.ORIGIN), false, res::addHeader);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        if (id != null) {
            body.put("requestId", id);
        }
        byte[] bytes = JSON.writeValueAsBytes(body);
        res.setStatus(status);
        res.setContentType("application/problem+json");
        res.setContentLength(bytes.length);
        if (!"HEAD".equals(req.getMethod())) {
            res.getOutputStream().write(bytes);
        }
    }
}
