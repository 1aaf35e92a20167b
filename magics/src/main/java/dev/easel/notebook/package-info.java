/**
 * Notebook-side helpers of the diffusion API: progress bars, live training charts, image grids, where outputs are
 * saved, the kernel's environment.
 */
package dev.easel.notebook;
