/**
 * LoRA networks: reading LoRA files and applying them to a pipeline's UNet and text encoder at a weight, and taking
 * them off again.
 */
package dev.easel.engine.lora;
