package dev.tollgate.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Server-level Jetty 12 error handler: requests Jetty refuses before they reach the WAR (malformed framing,
 * ambiguous URIs, header fields too large) are answered as RFC 9457 problem+json too, never as Jetty's HTML
 * page. Inside the WAR the gateway answers its own problems. Not part of the WAR: the build packages it as
 * {@code target/tollgate-jetty-errors.jar} for the server's class path; {@code server-config/jetty.sh} installs
 * it on the Jetty distribution ({@code jetty-base/etc/tollgate-errors.xml}) and the demo on its embedded server.
 */
public final class ProblemErrorHandler extends ErrorHandler {
    private static final String TYPE = "application/problem+json";

    static byte[] body(int status, String message) {
        String title = HttpStatus.getMessage(status);
        String detail = message == null || message.isBlank() ? title : message;
        return ("{\"type\":\"about:blank\",\"title\":\"" + escape(title) + "\",\"status\":" + status
                + ",\"detail\":\"" + escape(detail) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) throws IOException {
        byte[] bytes = body(code, message);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, TYPE);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(new HttpField(HttpHeader.CONTENT_TYPE, TYPE));
        return ByteBuffer.wrap(body(status, reason));
    }
}
