/**
 * ZeroMQ sockets of a kernel connection (shell, control, iopub, stdin, heartbeat), the connection file, message
 * framing and HMAC signing. Knows nothing of Java evaluation.
 */
package dev.easel.kernel.channels;
