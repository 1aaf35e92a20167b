/**
 * The diffusion engine's root: only what every layer below may use — {@link dev.easel.engine.EngineException}, the
 * one exception type for user errors, and the engine's logging bridge. The engine knows nothing of Jupyter.
 */
package dev.easel.engine;
