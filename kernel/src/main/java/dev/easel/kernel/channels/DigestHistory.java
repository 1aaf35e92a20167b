package dev.easel.kernel.channels;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The signatures of accepted messages, the newest {@code capacity} of them: a message whose signature is among them
 * is a replay. Signatures carry the message id and date, so a genuine new message never repeats one.
 */
final class DigestHistory {

    private final int capacity;
    private final Set<Key> digests = new LinkedHashSet<>();

    /**
     * The first 32 bytes of a signature (128 bits of its hex HMAC), held in four longs: ~80 bytes an entry, so a full
     * history costs ~5 MB rather than three times that for byte arrays.
     */
    private record Key(long a, long b, long c, long d) {

        static Key of(byte[] digest) {
            ByteBuffer bytes = ByteBuffer.wrap(Arrays.copyOf(digest, Math.max(32, digest.length)));
            return new Key(bytes.getLong(), bytes.getLong(), bytes.getLong(), bytes.getLong() ^ digest.length);
        }
    }

    DigestHistory(int capacity) {
        this.capacity = capacity;
    }

    /** Records {@code digest}; false when it was already there. */
    synchronized boolean add(byte[] digest) {
        if (!digests.add(Key.of(digest))) {
            return false;
        }
        if (digests.size() > capacity) {
            Iterator<Key> oldest = digests.iterator();
            oldest.next();
            oldest.remove();
        }
        return true;
    }
}
