package dev.easel.kernel.handlers;

import dev.easel.kernel.protocol.Contents;
import dev.easel.kernel.protocol.Request;

/** {@code shutdown_request}: answers, then ends the kernel (the client starts a new process for a restart). */
public final class ShutdownHandler implements Handler {

    private final Runnable shutdown;

    public ShutdownHandler(Runnable shutdown) {
        this.shutdown = shutdown;
    }

    @Override
    public void handle(Request request) {
        Contents.ShutdownRequest content = request.content(Contents.ShutdownRequest.class);
        request.reply(new Contents.ShutdownReply("ok", content.restart()));
        shutdown.run();
    }
}
