/**
 * The web UIs' prompt language (AUTOMATIC1111's): attention weights {@code (word:1.3)}, {@code [word]}, escapes and
 * {@code BREAK} ({@link dev.easel.engine.prompt.PromptAttention}); prompt editing {@code [cat:dog:0.5]} and
 * alternation {@code [cat|dog]} ({@link dev.easel.engine.prompt.PromptSchedule}); and the split of a prompt's tokens
 * into 75-token chunks with a weight per token ({@link dev.easel.engine.prompt.PromptChunks}). Text in, token ids and
 * weights out: the pipeline encodes the chunks and applies the weights.
 */
package dev.easel.engine.prompt;
