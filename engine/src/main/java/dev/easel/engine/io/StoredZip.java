package dev.easel.engine.io;

import java.io.IOException;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Zip entries stored uncompressed, as PyTorch's zip formats (TorchScript modules, {@code torch.save}) keep them. */
public final class StoredZip {

    private StoredZip() {}

    /** Adds {@code data} as an uncompressed entry {@code name}. */
    public static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }
}
