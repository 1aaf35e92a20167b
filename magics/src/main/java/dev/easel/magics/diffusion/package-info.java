/**
 * The diffusion magics ({@code %load_model}, {@code %txt2img}, {@code %img2img}, {@code %xyz}, {@code %dreambooth},
 * {@code %png_info}, …): each translates its options (declared once in the engine) into the Java API and shows the
 * result.
 */
package dev.easel.magics.diffusion;
