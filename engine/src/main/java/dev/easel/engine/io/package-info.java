/**
 * Small file utilities the engine shares: atomic writes, folder removal, {@code .npy} arrays, PNG with text chunks,
 * user paths.
 */
package dev.easel.engine.io;
