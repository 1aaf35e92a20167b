package dev.easel.kernel.handlers;

import dev.easel.kernel.protocol.Request;

/** Handles one request type; the dispatcher wraps it in busy/idle and answers if it throws. */
@FunctionalInterface
public interface Handler {
    void handle(Request request) throws Exception;
}
