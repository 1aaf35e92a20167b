package dev.easel.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void helpListsEverySubcommandFoundByServiceLoader() {
        List<String> names = Main.subcommands().stream().map(c -> c.name()).toList();
        assertTrue(names.containsAll(List.of("install", "uninstall", "kernel", "bench-kernel")), names.toString());
        String usage = Main.usage(Main.subcommands());
        for (String name : names) {
            assertTrue(usage.contains("  " + name + " "), usage);
        }
    }

    @Test
    void versionAndUnknownSubcommand() {
        assertEquals(0, Main.run(new String[] {"--version"}));
        assertEquals(0, Main.run(new String[] {"--help"}));
        assertEquals(2, Main.run(new String[] {"no-such-command"}));
        assertTrue(Version.get().matches("\\d+\\.\\d+\\.\\d+.*"), Version.get());
    }
}
