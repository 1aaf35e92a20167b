/**
 * The display API cells use ({@code display(x)}, {@code HTML}, {@code Markdown}, handles that update) and the
 * renderer registry that turns values into MIME bundles; the kernel supplies the sink.
 */
package dev.easel.display;
