/**
 * The building blocks of {@link dev.easel.engine.models.UNet2DConditionModel}, one class each as diffusers names
 * them: {@link dev.easel.engine.models.unet.Transformer2DModel}, {@link dev.easel.engine.models.unet.BasicTransformerBlock},
 * the down/up blocks and the mid block. {@link dev.easel.engine.models.unet.DownBlockType} and
 * {@link dev.easel.engine.models.unet.UpBlockType} map the config's block type names to the classes that build them.
 */
package dev.easel.engine.models.unet;
