/**
 * Textual-inversion embeddings: reading the shared formats ({@link dev.easel.engine.embeddings.TextualInversion})
 * and the set loaded on one pipeline's tokenizer and text encoder ({@link dev.easel.engine.embeddings.Embeddings}).
 */
package dev.easel.engine.embeddings;
