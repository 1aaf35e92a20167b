/**
 * CLIP's byte-level BPE tokenizer, equal to Hugging Face's {@code CLIPTokenizer}, and the BPE trainer the default
 * model's vocabulary came from.
 */
package dev.easel.engine.tokenizer;
