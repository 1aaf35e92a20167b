package dev.easel.kernel.interpreter;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Redirects {@code System.exit(int)} calls in a class file to {@link ExitTrap#exit(int)}.
 *
 * <p>Only the constant pool changes: every {@code Methodref java/lang/System.exit:(I)V} gets a new class entry for
 * {@code ExitTrap} (same name and descriptor, still {@code invokestatic}), appended at the end of the pool. The
 * bytecode itself is untouched, so this needs no bytecode library and works on JDK 17 and 25 alike.
 */
public final class ExitCallRewriter {

    private static final String SYSTEM = "java/lang/System";
    private static final String TRAP = ExitTrap.class.getName().replace('.', '/');

    private ExitCallRewriter() {
    }

    public static byte[] rewrite(byte[] classFile) {
        try {
            return doRewrite(classFile);
        } catch (IOException | RuntimeException e) {
            return classFile; // an unexpected class layout: leave it alone rather than break loading
        }
    }

    private static byte[] doRewrite(byte[] classFile) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
        int magic = in.readInt();
        if (magic != 0xCAFEBABE) {
            return classFile;
        }
        in.readUnsignedShort(); // minor
        in.readUnsignedShort(); // major
        int count = in.readUnsignedShort();
        int poolStart = 10;
        // First pass: record each entry's tag, offset and length; find the Utf8s and NameAndTypes we care about.
        int[] tags = new int[count];
        int[] offsets = new int[count];
        String[] utf8 = new String[count];
        int[] first = new int[count];
        int[] second = new int[count];
        int offset = poolStart;
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            tags[i] = tag;
            offsets[i] = offset;
            int size;
            switch (tag) {
                case 1 -> {
                    utf8[i] = in.readUTF();
                    size = 0; // readUTF consumed it
                    offset += 1 + 2 + lengthOfUtf(classFile, offsets[i]);
                }
                case 3, 4 -> { in.skipBytes(4); size = 5; }
                case 5, 6 -> { in.skipBytes(8); size = 9; }
                case 7, 8, 16, 19, 20 -> { first[i] = in.readUnsignedShort(); size = 3; }
                case 9, 10, 11, 12, 17, 18 -> {
                    first[i] = in.readUnsignedShort();
                    second[i] = in.readUnsignedShort();
                    size = 5;
                }
                case 15 -> { in.skipBytes(3); size = 4; }
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
            offset += size;
            if (tag == 5 || tag == 6) {
                i++; // longs and doubles take two slots
            }
        }
        int poolEnd = offset;
        List<Integer> exitRefs = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            if (tags[i] == 10 && tags[first[i]] == 7 && SYSTEM.equals(utf8[first[first[i]]])) {
                int nameAndType = second[i];
                if ("exit".equals(utf8[first[nameAndType]]) && "(I)V".equals(utf8[second[nameAndType]])) {
                    exitRefs.add(i);
                }
            }
        }
        if (exitRefs.isEmpty()) {
            return classFile;
        }
        int trapName = count;
        int trapClass = count + 1;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(classFile.length + 64);
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(classFile, 0, 8);
        out.writeShort(count + 2);
        byte[] pool = Arrays.copyOfRange(classFile, poolStart, poolEnd);
        for (int ref : exitRefs) {
            int at = offsets[ref] - poolStart + 1; // class_index of the Methodref
            pool[at] = (byte) (trapClass >> 8);
            pool[at + 1] = (byte) trapClass;
        }
        out.write(pool);
        out.writeByte(1);
        out.writeUTF(TRAP);
        out.writeByte(7);
        out.writeShort(trapName);
        out.write(classFile, poolEnd, classFile.length - poolEnd);
        return bytes.toByteArray();
    }

    private static int lengthOfUtf(byte[] classFile, int tagOffset) {
        return ((classFile[tagOffset + 1] & 0xFF) << 8) | (classFile[tagOffset + 2] & 0xFF);
    }
}
