/**
 * Input history across kernel restarts, one session per kernel process, in a private file.
 */
package dev.easel.kernel.history;
