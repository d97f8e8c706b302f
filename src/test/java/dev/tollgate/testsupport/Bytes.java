package dev.tollgate.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Deterministic test bodies of any size, generated on the fly (never held in memory), and their SHA-256. */
public final class Bytes {
    private Bytes() {
    }

    /** Byte i of the stream. */
    static byte at(long i) {
        long x = i * 0x9E3779B97F4A7C15L;
        return (byte) (x >>> 56 ^ i);
    }

    public static void write(OutputStream out, long size) throws IOException {
        byte[] buf = new byte[65536];
        long pos = 0;
        while (pos < size) {
            int n = (int) Math.min(buf.length, size - pos);
            for (int i = 0; i < n; i++) {
                buf[i] = at(pos + i);
            }
            out.write(buf, 0, n);
            pos += n;
        }
    }

    /** An input stream of the bytes {@link #write} produces. */
    public static InputStream stream(long size) {
        return new InputStream() {
            private long pos;

            @Override
            public int read() {
                return pos < size ? at(pos++) & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= size) {
                    return -1;
                }
                int n = (int) Math.min(len, size - pos);
                for (int i = 0; i < n; i++) {
                    b[off + i] = at(pos + i);
                }
                pos += n;
                return n;
            }
        };
    }

    public static String sha256(long size) throws IOException {
        return sha256(stream(size));
    }

    public static String sha256(InputStream in) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) >= 0) {
                sha.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
