/**
 * Inpainting as A1111 users run it: the pipeline's diffusers-equal {@code inpaint} with mask inversion, the
 * "only masked" crop, and pasting the result back through a blurred mask.
 */
package dev.easel.engine.inpaint;
