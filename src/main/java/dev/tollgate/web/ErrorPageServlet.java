package dev.tollgate.web;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Locale;
import org.apache.hc.core5.http.impl.EnglishReasonPhraseCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web.xml error page, mapped under {@code /WEB-INF/} so that no client request reaches it: errors raised by
 * the servlet container inside this WAR (a path the container refuses, an exception that escaped) are answered
 * as problem+json with a generic detail, never the container's HTML page or a stack trace. No filter runs on
 * the ERROR dispatch. Stateless.
 */
public final class ErrorPageServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ErrorPageServlet.class);

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        if (req.getDispatcherType() != DispatcherType.ERROR) {
            Problems.send(req, res, 404, "Not Found", "No route matches this request.", false);
            return;
        }
        Object code = req.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        // a path the container protects (WEB-INF, META-INF) is refused without the error attributes, status set
        int status = code instanceof Integer ? (Integer) code : res.getStatus();
        Throwable failure = (Throwable) req.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        if (failure != null) {
            LOG.error("request={} uri={} failed inside the gateway", RequestAttributes.requestId(req),
                    req.getAttribute(RequestDispatcher.ERROR_REQUEST_URI), failure);
        }
        if (res.isCommitted()) {
            return;
        }
        boolean client = status >= 400 && status < 500;
        if (!client) {
            status = 500;
        }
        String title = EnglishReasonPhraseCatalog.INSTANCE.getReason(status, Locale.ROOT);
        Problems.send(req, res, status, title == null ? "Bad Request" : title,
                client ? "The request was refused by the server." : "The gateway failed to handle the request.",
                client);
    }
}
