/**
 * The Stable Diffusion pipeline in diffusers' named stages — check inputs, encode prompt, prepare latents, denoise,
 * decode — with its settings, defaults, limits, step callback, results and the A1111 parameters text every PNG
 * carries. Loading lives in {@code dev.easel.engine.loading}.
 */
package dev.easel.engine.pipeline;
