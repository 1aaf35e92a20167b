package dev.easel.kernel.interpreter;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Redirects the calls that end the JVM in a class file to {@link ExitTrap}: {@code System.exit(int)},
 * {@code Runtime.exit(int)} and {@code Runtime.halt(int)}.
 *
 * <p>{@code System.exit} is static: its {@code Methodref} only gets a new class entry for {@code ExitTrap} (same name
 * and descriptor, still {@code invokestatic}). {@code Runtime.getRuntime().exit/halt(status)} are instance calls:
 * each {@code invokevirtual} of them becomes an {@code invokestatic} of {@code ExitTrap.exit/halt(Runtime, int)},
 * which takes the same two stack values — same length, same stack, so neither branch offsets nor stack map frames
 * change. New constants are appended at the end of the pool; this needs no bytecode library and works on JDK 17 and
 * 25 alike. Calls through reflection or method handles are not seen.
 */
public final class ExitCallRewriter {

    private static final String SYSTEM = "java/lang/System";
    private static final String RUNTIME = "java/lang/Runtime";
    private static final String TRAP = ExitTrap.class.getName().replace('.', '/');
    private static final String TRAP_RUNTIME_DESCRIPTOR = "(Ljava/lang/Runtime;I)V";
    private static final int INVOKEVIRTUAL = 0xb6;
    private static final int INVOKESTATIC = 0xb8;

    private ExitCallRewriter() {}

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
                case 3, 4 -> {
                    in.skipBytes(4);
                    size = 5;
                }
                case 5, 6 -> {
                    in.skipBytes(8);
                    size = 9;
                }
                case 7, 8, 16, 19, 20 -> {
                    first[i] = in.readUnsignedShort();
                    size = 3;
                }
                case 9, 10, 11, 12, 17, 18 -> {
                    first[i] = in.readUnsignedShort();
                    second[i] = in.readUnsignedShort();
                    size = 5;
                }
                case 15 -> {
                    in.skipBytes(3);
                    size = 4;
                }
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
            offset += size;
            if (tag == 5 || tag == 6) {
                i++; // longs and doubles take two slots
            }
        }
        int poolEnd = offset;
        List<Integer> exitRefs = new ArrayList<>();
        Map<Integer, String> runtimeRefs = new HashMap<>(); // Methodref of Runtime.exit/halt → the method's name
        for (int i = 1; i < count; i++) {
            if (tags[i] != 10 || tags[first[i]] != 7) {
                continue;
            }
            String owner = utf8[first[first[i]]];
            String name = utf8[first[second[i]]];
            boolean takesStatus = "(I)V".equals(utf8[second[second[i]]]);
            if (SYSTEM.equals(owner) && "exit".equals(name) && takesStatus) {
                exitRefs.add(i);
            } else if (RUNTIME.equals(owner) && ("exit".equals(name) || "halt".equals(name)) && takesStatus) {
                runtimeRefs.put(i, name);
            }
        }
        if (exitRefs.isEmpty() && runtimeRefs.isEmpty()) {
            return classFile;
        }
        // Appended constants: the trap class, and per Runtime method a Methodref ExitTrap.name(Runtime, int).
        ByteArrayOutputStream added = new ByteArrayOutputStream();
        DataOutputStream pool = new DataOutputStream(added);
        int next = count;
        int trapName = next++;
        pool.writeByte(1);
        pool.writeUTF(TRAP);
        int trapClass = next++;
        pool.writeByte(7);
        pool.writeShort(trapName);
        int descriptor = -1;
        Map<String, Integer> trapMethods = new HashMap<>();
        for (String name : runtimeRefs.values().stream().distinct().sorted().toList()) {
            if (descriptor < 0) {
                descriptor = next++;
                pool.writeByte(1);
                pool.writeUTF(TRAP_RUNTIME_DESCRIPTOR);
            }
            int nameIndex = next++;
            pool.writeByte(1);
            pool.writeUTF(name);
            int nameAndType = next++;
            pool.writeByte(12);
            pool.writeShort(nameIndex);
            pool.writeShort(descriptor);
            trapMethods.put(name, next++);
            pool.writeByte(10);
            pool.writeShort(trapClass);
            pool.writeShort(nameAndType);
        }
        byte[] rest = Arrays.copyOfRange(classFile, poolEnd, classFile.length);
        Map<Integer, Integer> replacements = new HashMap<>();
        runtimeRefs.forEach((ref, name) -> replacements.put(ref, trapMethods.get(name)));
        if (!replacements.isEmpty()) {
            int patched = patchRuntimeCalls(rest, utf8, replacements);
            if (patched == 0 && exitRefs.isEmpty()) {
                return classFile;
            }
        }

        ByteArrayOutputStream bytes = new ByteArrayOutputStream(classFile.length + 128);
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(classFile, 0, 8);
        out.writeShort(next);
        byte[] original = Arrays.copyOfRange(classFile, poolStart, poolEnd);
        for (int ref : exitRefs) {
            int at = offsets[ref] - poolStart + 1; // class_index of the Methodref
            original[at] = (byte) (trapClass >> 8);
            original[at + 1] = (byte) trapClass;
        }
        out.write(original);
        out.write(added.toByteArray());
        out.write(rest);
        return bytes.toByteArray();
    }

    /**
     * Walks the methods' {@code Code} attributes in {@code rest} (the class file after its constant pool) and turns
     * each {@code invokevirtual} of a key of {@code replacements} into an {@code invokestatic} of its value.
     *
     * @return how many calls were changed
     */
    private static int patchRuntimeCalls(byte[] rest, String[] utf8, Map<Integer, Integer> replacements) {
        int at = 6; // access_flags, this_class, super_class
        int interfaces = u2(rest, at);
        at += 2 + 2 * interfaces;
        at = skipMembers(rest, at, utf8, null); // fields
        int[] patched = {0};
        skipMembers(rest, at, utf8, (codeStart, codeLength) -> {
            int pc = 0;
            while (pc < codeLength) {
                int opcode = rest[codeStart + pc] & 0xFF;
                if (opcode == INVOKEVIRTUAL) {
                    Integer target = replacements.get(u2(rest, codeStart + pc + 1));
                    if (target != null) {
                        rest[codeStart + pc] = (byte) INVOKESTATIC;
                        rest[codeStart + pc + 1] = (byte) (target >> 8);
                        rest[codeStart + pc + 2] = (byte) (int) target;
                        patched[0]++;
                    }
                }
                pc += instructionLength(rest, codeStart, pc);
            }
        });
        return patched[0];
    }

    private interface CodeVisitor {
        void code(int start, int length);
    }

    /** Skips a fields or methods table starting at {@code at}; hands each {@code Code} attribute's bytecode over. */
    private static int skipMembers(byte[] rest, int at, String[] utf8, CodeVisitor visitor) {
        int members = u2(rest, at);
        at += 2;
        for (int m = 0; m < members; m++) {
            at += 6; // access_flags, name_index, descriptor_index
            int attributes = u2(rest, at);
            at += 2;
            for (int a = 0; a < attributes; a++) {
                String name = utf8[u2(rest, at)];
                int length = u4(rest, at + 2);
                if (visitor != null && "Code".equals(name)) {
                    visitor.code(at + 6 + 8, u4(rest, at + 6 + 4)); // after max_stack, max_locals, code_length
                }
                at += 6 + length;
            }
        }
        return at;
    }

    /** The length of the instruction at {@code pc} (JVMS §6.5), switches' padding and {@code wide} included. */
    private static int instructionLength(byte[] code, int start, int pc) {
        int opcode = code[start + pc] & 0xFF;
        switch (opcode) {
            case 0x10, 0x12, 0x15, 0x16, 0x17, 0x18, 0x19, 0x36, 0x37, 0x38, 0x39, 0x3a, 0xa9, 0xbc -> {
                return 2;
            }
            case 0x11,
                    0x13,
                    0x14,
                    0x84,
                    0xb2,
                    0xb3,
                    0xb4,
                    0xb5,
                    0xb6,
                    0xb7,
                    0xb8,
                    0xbb,
                    0xbd,
                    0xc0,
                    0xc1,
                    0xc6,
                    0xc7 -> {
                return 3;
            }
            case 0xc5 -> {
                return 4;
            }
            case 0xb9, 0xba, 0xc8, 0xc9 -> {
                return 5;
            }
            case 0xc4 -> {
                return (code[start + pc + 1] & 0xFF) == 0x84 ? 6 : 4;
            }
            case 0xaa -> {
                int padded = pc + 1 + (3 - pc % 4);
                int low = u4(code, start + padded + 4);
                int high = u4(code, start + padded + 8);
                return padded - pc + 12 + 4 * (high - low + 1);
            }
            case 0xab -> {
                int padded = pc + 1 + (3 - pc % 4);
                int pairs = u4(code, start + padded + 4);
                return padded - pc + 8 + 8 * pairs;
            }
            default -> {
                return opcode >= 0x99 && opcode <= 0xa8 ? 3 : 1;
            }
        }
    }

    private static int u2(byte[] bytes, int at) {
        return ((bytes[at] & 0xFF) << 8) | (bytes[at + 1] & 0xFF);
    }

    private static int u4(byte[] bytes, int at) {
        return (u2(bytes, at) << 16) | u2(bytes, at + 2);
    }

    private static int lengthOfUtf(byte[] classFile, int tagOffset) {
        return ((classFile[tagOffset + 1] & 0xFF) << 8) | (classFile[tagOffset + 2] & 0xFF);
    }
}
