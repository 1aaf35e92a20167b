/**
 * Renderers for the diffusion API's results: a generation, a sweep and a DreamBooth run as rich notebook output.
 */
package dev.easel.renderers;
