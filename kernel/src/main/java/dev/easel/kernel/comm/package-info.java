/**
 * Jupyter comms: targets registered from Java and the messages that open, feed and close them.
 */
package dev.easel.kernel.comm;
