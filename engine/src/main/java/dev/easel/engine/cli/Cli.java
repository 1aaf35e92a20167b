package dev.easel.engine.cli;

import dev.easel.engine.EngineLog;

/** Small helpers shared by the engine's subcommands. */
final class Cli {

    private Cli() {}

    /** DJL's chatter off the terminal; Easel's own warnings as {@code easel: MESSAGE} lines on stderr. */
    static void quietLogs() {
        EngineLog.showOnStandardError();
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
        }
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }

    static String firstLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
