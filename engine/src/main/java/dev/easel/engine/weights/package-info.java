/**
 * Weight files: {@link dev.easel.engine.weights.TensorFile} (one read interface) over
 * {@link dev.easel.engine.weights.SafeTensors} and {@link dev.easel.engine.weights.TorchCheckpoint} (PyTorch zip
 * {@code .ckpt}, through a restricted unpickler that refuses every global but tensors, storages and OrderedDict),
 * {@link dev.easel.engine.weights.WeightLoader} (module names → tensors),
 * {@link dev.easel.engine.weights.LdmKeys}, {@link dev.easel.engine.weights.OpenClipKeys} (SD 2.x's text encoder)
 * and {@link dev.easel.engine.weights.SingleFileConfigs} (original single-file layout). Tensors are read one at a time by positional reads into a reused buffer, so loading
 * holds no tensor twice and keeps no file page resident.
 */
package dev.easel.engine.weights;
