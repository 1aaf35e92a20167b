/**
 * One handler per request type, as ipykernel's handler table: each turns a request into calls of the {@link
 * dev.easel.kernel.interpreter.Interpreter} and replies. Tested against a fake interpreter.
 */
package dev.easel.kernel.handlers;
