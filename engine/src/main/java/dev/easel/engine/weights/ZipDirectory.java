package dev.easel.engine.weights;

import dev.easel.engine.EngineException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The central directory of a zip file (zip64 included), read defensively: every count, size and offset is checked
 * against the file's real size. {@code torch.save} stores its entries uncompressed, so an entry's bytes can be read
 * in place at {@link Entry#dataStart()} — which is what lets a multi-gigabyte checkpoint be read tensor by tensor.
 */
final class ZipDirectory {

    /** One file in the zip. {@code method} 0 = stored. */
    record Entry(String name, int method, long compressedSize, long size, long dataStart) {}

    private static final int EOCD = 0x06054b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_EOCD = 0x06064b50;
    private static final int CENTRAL = 0x02014b50;
    private static final int LOCAL = 0x04034b50;
    private static final long MAX_DIRECTORY = 512L << 20;

    private ZipDirectory() {}

    static Map<String, Entry> read(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        int tail = (int) Math.min(size, 22 + 65535);
        ByteBuffer end = read(ch, size - tail, tail);
        int eocd = -1;
        for (int i = tail - 22; i >= 0; i--) {
            if (end.getInt(i) == EOCD) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw corrupt(file, "no zip end-of-directory record (truncated?)");
        }
        long entries = end.getShort(eocd + 10) & 0xffff;
        long dirSize = end.getInt(eocd + 12) & 0xffffffffL;
        long dirOffset = end.getInt(eocd + 16) & 0xffffffffL;
        long eocdPos = size - tail + eocd;
        if (entries == 0xffff || dirSize == 0xffffffffL || dirOffset == 0xffffffffL) {
            if (eocdPos < 20) {
                throw corrupt(file, "zip64 record missing");
            }
            ByteBuffer loc = read(ch, eocdPos - 20, 20);
            if (loc.getInt(0) != ZIP64_LOCATOR) {
                throw corrupt(file, "zip64 locator missing");
            }
            long z64 = loc.getLong(8);
            if (z64 < 0 || z64 + 56 > eocdPos) {
                throw corrupt(file, "zip64 record out of range");
            }
            ByteBuffer rec = read(ch, z64, 56);
            if (rec.getInt(0) != ZIP64_EOCD) {
                throw corrupt(file, "bad zip64 record");
            }
            entries = rec.getLong(32);
            dirSize = rec.getLong(40);
            dirOffset = rec.getLong(48);
        }
        if (dirOffset < 0
                || dirSize < 0
                || dirSize > MAX_DIRECTORY
                || dirOffset + dirSize > eocdPos
                || entries < 0
                || entries > dirSize / 46) {
            throw corrupt(file, "zip directory out of range (truncated?)");
        }
        ByteBuffer dir = read(ch, dirOffset, (int) dirSize);
        Map<String, Entry> result = new LinkedHashMap<>();
        int p = 0;
        for (long n = 0; n < entries; n++) {
            if (p + 46 > dirSize || dir.getInt(p) != CENTRAL) {
                throw corrupt(file, "bad zip directory entry " + n);
            }
            int method = dir.getShort(p + 10) & 0xffff;
            long compressed = dir.getInt(p + 20) & 0xffffffffL;
            long uncompressed = dir.getInt(p + 24) & 0xffffffffL;
            int nameLen = dir.getShort(p + 28) & 0xffff;
            int extraLen = dir.getShort(p + 30) & 0xffff;
            int commentLen = dir.getShort(p + 32) & 0xffff;
            long local = dir.getInt(p + 42) & 0xffffffffL;
            if (p + 46L + nameLen + extraLen + commentLen > dirSize) {
                throw corrupt(file, "bad zip directory entry " + n);
            }
            byte[] nameBytes = new byte[nameLen];
            dir.get(p + 46, nameBytes);
            String name = new String(nameBytes, StandardCharsets.UTF_8);
            int x = p + 46 + nameLen;
            int xEnd = x + extraLen;
            while (x + 4 <= xEnd) {
                int id = dir.getShort(x) & 0xffff;
                int len = dir.getShort(x + 2) & 0xffff;
                int q = x + 4;
                if (q + len > xEnd) {
                    throw corrupt(file, "bad zip extra field of " + name);
                }
                if (id == 1) {
                    if (uncompressed == 0xffffffffL && q + 8 <= x + 4 + len) {
                        uncompressed = dir.getLong(q);
                        q += 8;
                    }
                    if (compressed == 0xffffffffL && q + 8 <= x + 4 + len) {
                        compressed = dir.getLong(q);
                        q += 8;
                    }
                    if (local == 0xffffffffL && q + 8 <= x + 4 + len) {
                        local = dir.getLong(q);
                    }
                }
                x += 4 + len;
            }
            if (local < 0 || compressed < 0 || uncompressed < 0 || local + 30 > dirOffset) {
                throw corrupt(file, "entry " + name + " out of range");
            }
            ByteBuffer lh = read(ch, local, 30);
            if (lh.getInt(0) != LOCAL) {
                throw corrupt(file, "bad local header of " + name);
            }
            long dataStart = local + 30 + (lh.getShort(26) & 0xffff) + (lh.getShort(28) & 0xffff);
            if (dataStart + compressed > dirOffset) {
                throw new EngineException(file + ": truncated checkpoint (entry " + name + " claims " + compressed
                        + " bytes past the end of the data)");
            }
            result.put(name, new Entry(name, method, compressed, uncompressed, dataStart));
            p += 46 + nameLen + extraLen + commentLen;
        }
        return result;
    }

    static ByteBuffer read(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, position + b.position()) < 0) {
                throw new IOException("unexpected end of file");
            }
        }
        return b.flip();
    }

    private static EngineException corrupt(Path file, String what) {
        return new EngineException(file + ": corrupt checkpoint zip (" + what + ")");
    }
}
