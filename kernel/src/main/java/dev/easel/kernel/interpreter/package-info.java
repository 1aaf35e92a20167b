/**
 * The {@link dev.easel.kernel.interpreter.Interpreter} interface — the {@code do_*} surface of ipykernel: execute,
 * complete, inspect, is_complete, interrupt — and its JShell implementation: running cells, values and temporaries,
 * completion and inspection, output capture, error formatting.
 */
package dev.easel.kernel.interpreter;
