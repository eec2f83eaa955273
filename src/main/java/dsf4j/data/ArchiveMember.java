package dsf4j.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * One member of a downloaded archive, as a manifest source {@code URL#member} names it: a {@code .zip}, or a
 * gzipped tar ({@code .tgz}, {@code .tar.gz}). Member names are compared without a leading {@code ./}.
 * The tar reader knows what corpus archives use: POSIX ustar (name and prefix), GNU tar (long names, {@code L})
 * and pax headers ({@code x}, their {@code path}); it skips every other entry.
 */
final class ArchiveMember {

    private static final int BLOCK = 512;

    private ArchiveMember() {}

    /** Whether a source URL's file name is an archive this class reads. */
    static boolean readable(String fileName) {
        return fileName.endsWith(".zip") || fileName.endsWith(".tgz") || fileName.endsWith(".tar.gz");
    }

    /**
     * Copies {@code member} of {@code archive} (whose kind {@code fileName} tells) to {@code out} (not closed).
     *
     * @throws IOException when the archive is damaged or has no such member
     */
    static void copy(Path archive, String fileName, String member, OutputStream out) throws IOException {
        if (fileName.endsWith(".zip")) {
            try (ZipFile zip = new ZipFile(archive.toFile())) {
                ZipEntry e = zip.stream().filter(z -> !z.isDirectory() && strip(z.getName()).equals(strip(member))).findFirst()
                        .orElseThrow(() -> new IOException(fileName + " has no member " + member));
                try (InputStream in = zip.getInputStream(e)) {
                    in.transferTo(out);
                }
            }
        } else if (fileName.endsWith(".tgz") || fileName.endsWith(".tar.gz")) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(archive), 1 << 16)) {
                copyFromTar(in, fileName, member, out);
            }
        } else {
            throw new IOException("cannot unpack " + fileName + ": only .zip, .tgz and .tar.gz archives are read");
        }
    }

    private static void copyFromTar(InputStream in, String fileName, String member, OutputStream out) throws IOException {
        byte[] h = new byte[BLOCK];
        String longName = null;
        while (readBlock(in, h)) {
            if (isZero(h)) break;   // the end-of-archive marker
            long size = octal(h, 124, 12);
            char type = (char) h[156];
            String name = longName != null ? longName : ustarName(h);
            longName = null;
            if (type == 'L' || type == 'x') {   // the next entry's name: a GNU long name, or a pax header's path
                String text = new String(readExactly(in, size), StandardCharsets.UTF_8);
                longName = type == 'L' ? text.replace("\0", "") : paxPath(text);
                skipPadding(in, size);
            } else if ((type == '0' || type == '\0') && strip(name).equals(strip(member))) {
                copyExactly(in, size, out);
                return;
            } else {
                in.skipNBytes(size);
                skipPadding(in, size);
            }
        }
        throw new IOException(fileName + " has no member " + member);
    }

    /** A ustar header's name: prefix/name when the header has the ustar magic and a prefix. */
    private static String ustarName(byte[] h) {
        String name = cString(h, 0, 100);
        boolean ustar = new String(h, 257, 6, StandardCharsets.US_ASCII).equals("ustar\0");   // POSIX; GNU's "ustar  " has no prefix field
        String prefix = ustar ? cString(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    /** The {@code path} record of a pax extended header ("LEN path=VALUE\n" records), or null. */
    private static String paxPath(String records) {
        for (String r : records.split("\n")) {
            int eq = r.indexOf(" path=");
            if (eq >= 0) return r.substring(eq + 6);
        }
        return null;
    }

    private static String strip(String name) {
        return name.startsWith("./") ? name.substring(2) : name;
    }

    private static String cString(byte[] h, int from, int length) {
        int end = from;
        while (end < from + length && h[end] != 0) end++;
        return new String(h, from, end - from, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] h, int from, int length) throws IOException {
        String s = cString(h, from, length).trim();
        try {
            return s.isEmpty() ? 0 : Long.parseLong(s, 8);
        } catch (NumberFormatException e) {
            throw new IOException("damaged tar header (size field '" + s + "')");
        }
    }

    private static boolean isZero(byte[] h) {
        for (byte b : h) if (b != 0) return false;
        return true;
    }

    /** Reads one 512-byte header; false at the end of the stream. */
    private static boolean readBlock(InputStream in, byte[] h) throws IOException {
        int n = in.readNBytes(h, 0, BLOCK);
        if (n == 0) return false;
        if (n < BLOCK) throw new EOFException("the archive ends inside a tar header");
        return true;
    }

    private static byte[] readExactly(InputStream in, long size) throws IOException {
        if (size > 1 << 20) throw new IOException("damaged tar header (a name of " + size + " bytes)");
        byte[] b = in.readNBytes((int) size);
        if (b.length < size) throw new EOFException("the archive ends inside an entry");
        return b;
    }

    private static void copyExactly(InputStream in, long size, OutputStream out) throws IOException {
        byte[] buf = new byte[1 << 16];
        for (long left = size; left > 0; ) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) throw new EOFException("the archive ends inside the member");
            out.write(buf, 0, n);
            left -= n;
        }
    }

    private static void skipPadding(InputStream in, long size) throws IOException {
        long pad = (BLOCK - size % BLOCK) % BLOCK;
        in.skipNBytes(pad);
    }
}
