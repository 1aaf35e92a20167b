package dev.easel.kernel.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Connection files the probe broke the kernel with: each refused in one line that names the real cause. */
class ConnectionInfoTest {

    @TempDir
    Path dir;

    Path file(String ip, String transport, int shellPort) throws IOException {
        int[] ports = freePorts(5);
        if (shellPort > 0) {
            ports[0] = shellPort;
        }
        return Files.writeString(dir.resolve("kernel.json"), """
                {"transport": "%s", "ip": "%s", "shell_port": %d, "control_port": %d, "stdin_port": %d,
                 "iopub_port": %d, "hb_port": %d, "key": "k", "signature_scheme": "hmac-sha256"}
                """.formatted(
                        transport, ip, ports[0], ports[1], ports[2], ports[3], ports[4]));
    }

    static int[] freePorts(int count) throws IOException {
        ServerSocket[] sockets = new ServerSocket[count];
        int[] ports = new int[count];
        try {
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
        return ports;
    }

    static String refusal(Path file) {
        String message = assertThrows(
                        ConnectionInfo.ConnectionFileException.class,
                        () -> new KernelSockets(ConnectionInfo.read(file)).close())
                .getMessage();
        assertFalse(message.contains("\n"), "one line: " + message);
        return message;
    }

    @Test
    void aMalformedFileIsNamedWithWhatIsWrong() throws Exception {
        Path file = Files.writeString(dir.resolve("kernel.json"), "{\"ip\": \"127.0.0.1\", \"shell_port\": ");
        String message = refusal(file);
        assertTrue(message.startsWith("connection file " + file + " is not valid"), message);
        assertTrue(refusal(dir.resolve("missing.json")).contains("does not exist"));
        Files.writeString(file, "{\"ip\": \"127.0.0.1\", \"shell_port\": \"many\"}");
        assertTrue(refusal(file).contains("is not valid"));
    }

    @Test
    void ipcIsRefusedAtOnceInsteadOfLeavingTheClientWaiting() throws Exception {
        String message = refusal(file("kernel-ipc", "ipc", 0));
        assertTrue(message.contains("transport \"ipc\" is not supported"), message);
    }

    @Test
    void anAddressOfAnotherMachineIsNamedAsSuchNotAsAPortInUse() throws Exception {
        String message = refusal(file("192.0.2.1", "tcp", 0)); // TEST-NET-1: never an address of this machine
        assertTrue(message.contains("192.0.2.1 is not an address of this machine"), message);
        assertFalse(message.contains("already in use"), message);
    }

    @Test
    void aPortInUseIsNamedWithItsField() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            String message = refusal(file("127.0.0.1", "tcp", taken.getLocalPort()));
            assertTrue(message.startsWith("shell_port " + taken.getLocalPort() + " on 127.0.0.1"), message);
            assertTrue(message.contains("another process"), message);
        }
    }

    @Test
    void ipv6LoopbackIsServed() throws Exception {
        ConnectionInfo info = ConnectionInfo.read(file("::1", "tcp", 0));
        assertTrue(info.ipv6());
        assertEquals("tcp://[::1]:" + info.shellPort(), info.address(info.shellPort()));
        new KernelSockets(info).close(); // binds all five on ::1
    }
}
