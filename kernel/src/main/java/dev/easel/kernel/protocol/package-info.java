/**
 * Jupyter messages as data: header, message, one record per content type, and {@code MessageType}, the one table of
 * message types.
 */
package dev.easel.kernel.protocol;
