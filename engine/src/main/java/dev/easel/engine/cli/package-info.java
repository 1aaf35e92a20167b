/**
 * The engine's command line: one {@link dev.easel.engine.cli.Subcommand} per verb ({@code txt2img}, {@code xyz},
 * {@code dreambooth}, {@code bench-engine}, …), found by the runnable jar through {@link java.util.ServiceLoader}.
 * Options come from the declarations in {@code dev.easel.engine.options}; commands translate them into engine calls
 * and print results. The top layer of the engine: nothing else in it depends on this package.
 */
package dev.easel.engine.cli;
