/**
 * The synthetic dataset the default model is trained on ({@code a red circle on a blue background}): drawing scenes,
 * and reading a generated image back to score its color, background and shape.
 */
package dev.easel.engine.shapes;
