/**
 * General-purpose magics: {@code %lsmagic}, {@code %time}, {@code %env}, {@code %classpath}, {@code %maven}, {@code
 * %engine}.
 */
package dev.easel.magics.general;
