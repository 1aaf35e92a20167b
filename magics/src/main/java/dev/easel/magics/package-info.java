/**
 * Magics: parsing a cell into Java and magic lines, the registry of magics, the context a magic runs in, and the one
 * cell runner the kernel uses. Engine errors become a magic's one-line error here, in one place.
 */
package dev.easel.magics;
