/**
 * Neural-network building blocks on DJL's PyTorch engine (linear, convolution, norms, attention, ResNet blocks, LoRA
 * adapters) and the module tree that maps diffusers' weight names onto them. Below the models; above the torch
 * facade.
 */
package dev.easel.engine.nn;
