package dev.easel.kernel.handlers;

import dev.easel.kernel.base.Version;
import dev.easel.kernel.protocol.Contents;
import dev.easel.kernel.protocol.Header;
import dev.easel.kernel.protocol.Request;
import java.util.List;

/** {@code kernel_info_request}: who this kernel is and what language it speaks. Needs no interpreter, so it answers at once. */
public final class KernelInfoHandler implements Handler {

    public static Contents.KernelInfoReply info() {
        String java = Runtime.version().toString();
        return new Contents.KernelInfoReply(
                "ok",
                Header.PROTOCOL_VERSION,
                "easel",
                Version.get(),
                new Contents.LanguageInfo(
                        "java",
                        Runtime.version().feature() + "." + Runtime.version().interim() + "."
                                + Runtime.version().update(),
                        "text/x-java",
                        ".jshell",
                        "text/x-java",
                        "java"),
                "Easel " + Version.get() + " — Java " + java + " (JShell, in-process)\n"
                        + "display(x), clearOutput(), HTML(\"…\"), Markdown(\"…\"); %lsmagic for magics",
                List.of(
                        new Contents.HelpLink(
                                "Java API",
                                "https://docs.oracle.com/en/java/javase/"
                                        + Runtime.version().feature() + "/docs/api/"),
                        new Contents.HelpLink(
                                "JShell",
                                "https://docs.oracle.com/en/java/javase/"
                                        + Runtime.version().feature() + "/jshell/")),
                false);
    }

    @Override
    public void handle(Request request) {
        request.reply(info());
    }
}
