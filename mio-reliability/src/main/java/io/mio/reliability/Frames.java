package io.mio.reliability;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

/**
 * The soak's message format and payload source.
 *
 * <p>A frame is a 24-byte header followed by the payload:
 * {@code magic:int, connection:int, sequence:long, length:int, crc32:int} (big-endian), then {@code length}
 * payload bytes. The payload is a slice of one fixed pseudo-random pattern, starting at an offset derived from
 * (connection, sequence); the receiver knows which frame it expects next and so checks every byte, the CRC and
 * the header fields: a lost, duplicated, reordered or corrupted frame is caught.
 */
public final class Frames {
    private Frames() {}

    public static final int MAGIC = 0x4D494F52; // "MIOR"
    public static final int HEADER = 24;
    public static final int MAX_PAYLOAD = 256 * 1024;
    /** The pattern is twice the largest payload so that any offset below MAX_PAYLOAD has room. */
    private static final byte[] PATTERN = new byte[2 * MAX_PAYLOAD];

    static {
        new SplittableRandom(0x5EED_1234_ABCDL).nextBytes(PATTERN);
    }

    public static byte[] pattern() {
        return PATTERN;
    }

    /** Where the payload of frame (connection, sequence) starts in the pattern. */
    public static int patternOffset(int connection, long sequence) {
        long h = (connection * 0x9E3779B97F4A7C15L) ^ (sequence * 0xC2B2AE3D27D4EB4FL);
        h ^= h >>> 29;
        return (int) Math.floorMod(h, (long) MAX_PAYLOAD);
    }

    /**
     * A payload size: mostly small, sometimes large, covering 1 B to 256 KiB with both ends included.
     * 74% in 1..256, 20% in 257..8 KiB, 4% in 8 KiB..64 KiB, 1.8% in 64 KiB..256 KiB, 0.1% exactly 1, 0.1%
     * exactly 256 KiB.
     */
    public static int payloadSize(SplittableRandom random) {
        int p = random.nextInt(1000);
        if (p < 1) return 1;
        if (p < 2) return MAX_PAYLOAD;
        if (p < 742) return 1 + random.nextInt(256);
        if (p < 942) return 257 + random.nextInt(8 * 1024 - 256);
        if (p < 982) return 8 * 1024 + 1 + random.nextInt(56 * 1024);
        return 64 * 1024 + 1 + random.nextInt(MAX_PAYLOAD - 64 * 1024);
    }

    public static int crc(int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(PATTERN, offset, length);
        return (int) crc.getValue();
    }

    /** Writes a header into {@code dst[0, HEADER)}. */
    public static void writeHeader(byte[] dst, int connection, long sequence, int length, int crc) {
        ByteBuffer b = ByteBuffer.wrap(dst).order(ByteOrder.BIG_ENDIAN);
        b.putInt(MAGIC).putInt(connection).putLong(sequence).putInt(length).putInt(crc);
    }

    public static int magic(byte[] h) {
        return ByteBuffer.wrap(h).getInt(0);
    }

    public static int connection(byte[] h) {
        return ByteBuffer.wrap(h).getInt(4);
    }

    public static long sequence(byte[] h) {
        return ByteBuffer.wrap(h).getLong(8);
    }

    public static int length(byte[] h) {
        return ByteBuffer.wrap(h).getInt(16);
    }

    public static int crcField(byte[] h) {
        return ByteBuffer.wrap(h).getInt(20);
    }
}
