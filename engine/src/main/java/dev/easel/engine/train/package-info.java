/**
 * Training shared by the default model's stages and DreamBooth. {@link dev.easel.engine.train.TrainingLoop} only
 * steps (forward, backward, clip, optimizer update); what happens around each step is a {@code StepListener}, as in
 * DJL's {@code training/listener/}: the loss log, the divergence check, checkpoints and the memory report.
 * {@link dev.easel.engine.train.TrainingListener} is the caller's view (progress bars, live charts).
 * Checkpoints ({@link dev.easel.engine.train.CheckpointStore}) are written atomically and resume exactly.
 */
package dev.easel.engine.train;
