package dev.easel.engine.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.EngineException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files (format 1.0/2.0/3.0, little-endian, C order): float32, float64, float16, int64, int32,
 * bool and uint8 read; any DJL array written. Used for reference data, {@code --init-latents} and
 * {@code --save-latents}.
 */
public final class Npy {

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /** Reads an array; float64 stays float64 (call {@code toType} as needed). */
    public static NDArray read(Path file, NDManager manager) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new EngineException(file + ": file not found");
        } catch (IOException e) {
            throw new EngineException(file + ": cannot read (" + e.getMessage() + ")");
        }
        if (all.length < 10 || all[0] != (byte) 0x93 || all[1] != 'N' || all[2] != 'U' || all[3] != 'M') {
            throw new EngineException(file + ": not a .npy file (bad magic)");
        }
        int major = all[6];
        ByteBuffer bb = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen;
        int headerStart;
        if (major == 1) {
            headerLen = Short.toUnsignedInt(bb.getShort(8));
            headerStart = 10;
        } else {
            headerLen = bb.getInt(8);
            headerStart = 12;
        }
        if (headerLen < 0 || headerStart + headerLen > all.length) {
            throw new EngineException(file + ": truncated .npy header");
        }
        String header = new String(all, headerStart, headerLen, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !s.find()) {
            throw new EngineException(file + ": unreadable .npy header " + header.trim());
        }
        if (f.find() && f.group(1).equals("True")) {
            throw new EngineException(file + ": Fortran-order .npy arrays are not supported");
        }
        String descr = d.group(1);
        String[] dims = s.group(1).split(",");
        long[] shape = Arrays.stream(dims)
                .map(String::trim)
                .filter(x -> !x.isEmpty())
                .mapToLong(Long::parseLong)
                .toArray();
        DataType type;
        switch (descr) {
            case "<f4":
                type = DataType.FLOAT32;
                break;
            case "<f8":
                type = DataType.FLOAT64;
                break;
            case "<f2":
                type = DataType.FLOAT16;
                break;
            case "<i8":
                type = DataType.INT64;
                break;
            case "<i4":
                type = DataType.INT32;
                break;
            case "|u1":
                type = DataType.UINT8;
                break;
            case "|b1":
                type = DataType.BOOLEAN;
                break;
            default:
                throw new EngineException(file + ": unsupported .npy dtype " + descr);
        }
        Shape sh = new Shape(shape);
        int dataStart = headerStart + headerLen;
        long bytes = sh.size() * type.getNumOfBytes();
        if (dataStart + bytes > all.length) {
            throw new EngineException(
                    file + ": truncated .npy data (" + (all.length - dataStart) + " of " + bytes + " bytes)");
        }
        ByteBuffer data = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
        data.put(all, dataStart, (int) bytes);
        data.rewind();
        return manager.create(data, sh, type);
    }

    /** Writes an array (any of the types above) atomically. */
    public static void write(NDArray array, Path file) {
        String descr;
        switch (array.getDataType()) {
            case FLOAT32:
                descr = "<f4";
                break;
            case FLOAT64:
                descr = "<f8";
                break;
            case FLOAT16:
                descr = "<f2";
                break;
            case INT64:
                descr = "<i8";
                break;
            case INT32:
                descr = "<i4";
                break;
            case UINT8:
                descr = "|u1";
                break;
            case BOOLEAN:
                descr = "|b1";
                break;
            default:
                throw new EngineException(file + ": cannot write dtype " + array.getDataType() + " as .npy");
        }
        long[] shape = array.getShape().getShape();
        StringBuilder sh = new StringBuilder();
        for (long x : shape) {
            sh.append(x).append(", ");
        }
        String shapeStr = shape.length == 1
                ? "(" + shape[0] + ",)"
                : "(" + (shape.length == 0 ? "" : sh.substring(0, sh.length() - 2)) + ")";
        String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shapeStr + ", }";
        int total = 10 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        header = header + " ".repeat(pad) + "\n";
        byte[] data = array.toByteArray();
        ByteBuffer out = ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put((byte) 0x93)
                .put("NUMPY".getBytes(StandardCharsets.US_ASCII))
                .put((byte) 1)
                .put((byte) 0);
        out.putShort((short) header.length());
        out.put(header.getBytes(StandardCharsets.ISO_8859_1));
        out.put(data);
        try {
            AtomicFile.write(file, out.array());
        } catch (IOException e) {
            throw new EngineException(file + ": cannot write (" + e.getMessage() + ")");
        }
    }
}
