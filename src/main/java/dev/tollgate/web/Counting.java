package dev.tollgate.web;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;

/** Request and response wrappers that count body bytes for the access log. One instance per request. */
final class Counting {
    private Counting() {
    }

    /** Counts the request body bytes read. */
    static final class Request extends HttpServletRequestWrapper {
        private In in;

        Request(HttpServletRequest req) {
            super(req);
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (in == null) {
                in = new In(super.getInputStream());
            }
            return in;
        }

        long bytes() {
            return in == null ? 0 : in.count;
        }
    }

    /** Counts the response body bytes written. */
    static final class Response extends HttpServletResponseWrapper {
        private Out out;

        Response(HttpServletResponse res) {
            super(res);
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            if (out == null) {
                out = new Out(super.getOutputStream());
            }
            return out;
        }

        @Override
        public void reset() {
            super.reset();
            if (out != null) {
                out.count = 0;
            }
        }

        long bytes() {
            return out == null ? 0 : out.count;
        }
    }

    private static final class In extends ServletInputStream {
        private final ServletInputStream in;
        private long count;

        In(ServletInputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    private static final class Out extends ServletOutputStream {
        private final ServletOutputStream out;
        private long count;

        Out(ServletOutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }

        @Override
        public boolean isReady() {
            return out.isReady();
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            out.setWriteListener(listener);
        }
    }
}
