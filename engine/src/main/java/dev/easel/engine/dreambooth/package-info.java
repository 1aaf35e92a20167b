/**
 * DreamBooth fine-tuning as diffusers' {@code train_dreambooth.py} does it (instance and class images, prior
 * preservation, optional text-encoder training, LoRA), with exact resume from checkpoints and mixed precision.
 */
package dev.easel.engine.dreambooth;
