package dev.easel.kernel.channels;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.easel.kernel.protocol.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The connection file Jupyter writes for a kernel: where the five sockets listen and the signing key. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ConnectionInfo(String transport, String ip, int shellPort, int controlPort, int stdinPort,
                             int iopubPort, int hbPort, String key, String signatureScheme) {

    public static ConnectionInfo read(Path file) throws IOException {
        return Json.MAPPER.readValue(Files.readAllBytes(file), ConnectionInfo.class);
    }

    public String address(int port) {
        String separator = "ipc".equals(transport) ? "-" : ":";
        return transport + "://" + ip + separator + port;
    }
}
