/**
 * Small file utilities the engine shares: atomic writes, folder removal, {@code .npy} arrays, PNG with text chunks,
 * user paths, the user's cache folder.
 */
package dev.easel.engine.io;
