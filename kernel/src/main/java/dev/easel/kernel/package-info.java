/**
 * The Jupyter kernel: wiring of sockets, handlers and interpreter ({@code Kernel}), the {@code kernel} subcommand
 * and the runnable jar's entry point. The kernel only moves messages and runs cells; what cells can call lives in
 * the magics module.
 */
package dev.easel.kernel;
