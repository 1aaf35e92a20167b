/**
 * Loading models: one {@link dev.easel.engine.loading.ModelFormat} per way a model is stored (diffusers folder,
 * Hugging Face cache, single-file checkpoint, DreamBooth run), chosen by {@link dev.easel.engine.loading.ModelLoader}.
 * Each builds the models from their configs, fills their weights through {@code weights/} and hands the pipeline
 * its parts; the pipeline itself only generates.
 */
package dev.easel.engine.loading;
