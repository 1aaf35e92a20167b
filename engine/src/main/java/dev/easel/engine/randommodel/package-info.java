/**
 * Full-size models with random weights and exactly a real architecture (SD 1.5, SD 2.1-v), written tensor by tensor
 * to disk for benchmarks and memory tests: {@link dev.easel.engine.randommodel.Architecture} (the real configs, as
 * resources), {@link dev.easel.engine.randommodel.RandomModelWriter} (diffusers folder or one original-layout file).
 */
package dev.easel.engine.randommodel;
