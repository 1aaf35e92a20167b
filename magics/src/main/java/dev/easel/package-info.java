/**
 * The notebook-facing Java API: {@code Easel.load(…)} gives a {@link dev.easel.Model}, whose requests ({@code
 * txt2img}, {@code img2img}, {@code xyz}, {@code dreambooth}) are built fluently and run on the engine. What a cell
 * and a magic call is the same object.
 */
package dev.easel;
