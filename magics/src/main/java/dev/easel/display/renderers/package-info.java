/**
 * The built-in renderers: images as PNG, Tablesaw tables as HTML, strings, HTML and Markdown.
 */
package dev.easel.display.renderers;
