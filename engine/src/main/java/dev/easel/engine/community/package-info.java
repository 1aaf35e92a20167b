/**
 * The files people share for a model, applied to one generation the way A1111 applies them: LoRAs (given, or named
 * by {@code <lora:…>} tags in the prompt), textual-inversion embeddings (given, or named in a prompt and found in the
 * embeddings folder) and a replacement VAE. The command line, the notebook API and the sweep all go through here.
 */
package dev.easel.engine.community;
