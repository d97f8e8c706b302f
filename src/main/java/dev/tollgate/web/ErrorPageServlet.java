package dev.tollgate.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Errors raised by the servlet container inside this WAR (a path the container refuses, an exception that
 * escaped) reach the web.xml error page; they are answered as problem+json with a generic detail, never the
 * container's HTML page or a stack trace. Stateless.
 */
final class ContainerErrors {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerErrors.class);

    private ContainerErrors() {
    }

    static void answer(HttpServletRequest req, HttpServletResponse res) throws IOException {
        Object code = req.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer ? (Integer) code : 500;
        Throwable failure = (Throwable) req.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        if (failure != null) {
            LOG.error("request={} uri={} failed inside the gateway", RequestAttributes.requestId(req),
                    req.getAttribute(RequestDispatcher.ERROR_REQUEST_URI), failure);
        }
        if (res.isCommitted()) {
            return;
        }
        boolean client = status >= 400 && status < 500;
        Problems.send(req, res, status, client ? "Bad Request" : "Internal Server Error",
                client ? "The request was refused by the server." : "The gateway failed to handle the request.",
                client);
        if (client && status != 400) {
            res.setStatus(status);
        }
    }
}
