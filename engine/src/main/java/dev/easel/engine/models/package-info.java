/**
 * The three models of Stable Diffusion 1.x/2.x, one file each as in diffusers — {@code ClipTextModel}, {@code
 * UNet2DConditionModel} (its blocks in {@code models.unet}), {@code AutoencoderKL} — with field names equal to the
 * weight keys, and the strict reading of their {@code config.json} files; {@code VaeTiling} is diffusers' tiled VAE
 * decode and encode.
 */
package dev.easel.engine.models;
