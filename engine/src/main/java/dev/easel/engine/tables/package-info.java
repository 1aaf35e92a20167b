/**
 * Formatting numbers for result tables (significant digits).
 */
package dev.easel.engine.tables;
