/**
 * libtorch below DJL's NDArray API: {@link dev.easel.engine.torch.LibTorch}, the only class that calls DJL's
 * {@code JniUtils} (grad mode, backward, TorchScript modules, thread counts), and
 * {@link dev.easel.engine.torch.Randomness}, the one owner of the global random generator and its lock.
 */
package dev.easel.engine.torch;
