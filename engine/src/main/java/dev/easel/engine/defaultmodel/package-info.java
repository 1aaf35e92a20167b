/**
 * How the shipped {@code default} model was made: the {@code train-base} recipe (autoencoder, then text encoder and
 * UNet on the shapes dataset), its objectives, latent cache and the evaluation that scores it.
 */
package dev.easel.engine.defaultmodel;
