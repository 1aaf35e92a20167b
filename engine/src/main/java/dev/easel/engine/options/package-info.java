/**
 * Each generation, sweep and training option declared once — name, type, default, range, help — from which both the
 * command line and the notebook magics are built, so both parse, validate and document options the same way.
 */
package dev.easel.engine.options;
