/**
 * Declaring a magic's options and positionals once, with parsing, help, validation and completion built from the
 * declaration.
 */
package dev.easel.magics.spec;
