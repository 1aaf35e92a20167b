/**
 * XYZ parameter sweeps as A1111's "X/Y/Z plot": axes parsed from text, the plan of cells, running them with the
 * pipeline, and the labelled grid image and results table.
 */
package dev.easel.engine.sweep;
