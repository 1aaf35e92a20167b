package dev.easel.kernel.channels;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.easel.kernel.protocol.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The connection file Jupyter writes for a kernel: where the five sockets listen and the signing key. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ConnectionInfo(
        String transport,
        String ip,
        int shellPort,
        int controlPort,
        int stdinPort,
        int iopubPort,
        int hbPort,
        String key,
        String signatureScheme) {

    /** A connection file the kernel cannot serve: the message is one line naming the file, the field and the cause. */
    public static final class ConnectionFileException extends IllegalArgumentException {

        public ConnectionFileException(String message) {
            super(message);
        }
    }

    /**
     * Reads and checks {@code file}.
     *
     * @throws ConnectionFileException when it is missing, not a connection file, or names what this kernel cannot
     *                                 listen on
     */
    public static ConnectionInfo read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConnectionFileException("connection file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConnectionFileException("cannot read connection file " + file + ": " + e.getMessage());
        }
        ConnectionInfo info;
        try {
            info = Json.MAPPER.readValue(bytes, ConnectionInfo.class);
        } catch (JsonProcessingException e) {
            throw new ConnectionFileException("connection file " + file + " is not valid: "
                    + e.getOriginalMessage().lines().findFirst().orElse("") + " (line "
                    + e.getLocation().getLineNr()
                    + ")");
        } catch (IOException e) {
            throw new ConnectionFileException("cannot read connection file " + file + ": " + e.getMessage());
        }
        if (info == null) {
            throw new ConnectionFileException("connection file " + file + " is empty (null)");
        }
        info.check(file);
        return info;
    }

    private void check(Path file) {
        String where = "connection file " + file + ": ";
        if (transport != null && !transport.equals("tcp")) {
            throw new ConnectionFileException(where + "transport \"" + transport + "\" is not supported; Easel"
                    + " listens on \"tcp\" only (JeroMQ has no Unix-domain sockets for \"ipc\")");
        }
        if (ip == null || ip.isBlank()) {
            throw new ConnectionFileException(where + "no \"ip\" to listen on; use \"127.0.0.1\"");
        }
        ports().forEach((name, port) -> {
            if (port <= 0 || port > 65_535) {
                throw new ConnectionFileException(
                        where + "\"" + name + "\" is " + port + ", not a port number (1-65535)");
            }
        });
        if (ip.equals("*")) {
            return;
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new ConnectionFileException(where + "\"ip\" " + ip + " is neither an address nor a known host name");
        }
        if (!isOfThisMachine(address)) {
            throw new ConnectionFileException(where + "\"ip\" " + ip + " is not an address of this machine, so the"
                    + " kernel cannot listen on it; use 127.0.0.1 (or 0.0.0.0 for every interface)");
        }
    }

    private static boolean isOfThisMachine(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return false;
        }
    }

    /** The five ports by their connection-file names. */
    public Map<String, Integer> ports() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("shell_port", shellPort);
        ports.put("control_port", controlPort);
        ports.put("stdin_port", stdinPort);
        ports.put("iopub_port", iopubPort);
        ports.put("hb_port", hbPort);
        return ports;
    }

    /** Whether {@link #ip} is an IPv6 address ({@code ::1}), which ZeroMQ wants in brackets and switched on. */
    public boolean ipv6() {
        return ip.contains(":");
    }

    /** Whether messages are signed: an empty key switches signing off (allowed by the protocol, but unsafe). */
    public boolean signed() {
        return key != null && !key.isEmpty();
    }

    public String address(int port) {
        return "tcp://" + (ipv6() ? "[" + ip + "]" : ip) + ":" + port;
    }
}
