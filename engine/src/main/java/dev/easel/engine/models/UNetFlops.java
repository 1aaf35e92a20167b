package dev.easel.engine.models;

/**
 * The FLOPs of one {@link UNet2DConditionModel} evaluation (one denoising step) worked out from its config and the
 * latent size, without running it — what {@link dev.easel.engine.nn.FlopCounter} would count for the same call:
 * convolutions, linear layers and attention at 2 FLOPs per multiply-add, no normalisation or elementwise ops. The
 * time estimate of a large sweep divides it by a measured rate.
 */
public final class UNetFlops {

    private UNetFlops() {}

    /**
     * FLOPs of one forward pass.
     *
     * @param batch the UNet's batch (twice the images under classifier-free guidance)
     * @param height latent height (image height / VAE scale factor)
     * @param width latent width
     * @param contextTokens length of the text conditioning (77 per prompt chunk)
     */
    public static long perStep(UNet2DConditionModel.Config c, long batch, long height, long width, long contextTokens) {
        Counter n = new Counter(c, batch, contextTokens);
        int[] boc = c.blockOutChannels();
        int levels = boc.length;
        long timeDim = 4L * boc[0];
        long flops = n.linear(1, boc[0], timeDim) + n.linear(1, timeDim, timeDim);
        long[] h = new long[levels];
        long[] w = new long[levels];
        h[0] = height;
        w[0] = width;
        for (int i = 1; i < levels; i++) {
            h[i] = (h[i - 1] + 1) / 2; // a 3×3 stride-2 convolution padded by 1
            w[i] = (w[i - 1] + 1) / 2;
        }
        flops += n.conv(h[0] * w[0], c.inChannels(), boc[0], 3);
        // Down blocks: skip channels are pushed as the down path makes them, and taken back in reverse going up.
        long[] skips = new long[levels * (c.layersPerBlock() + 1) + 1];
        int pushed = 0;
        skips[pushed++] = boc[0];
        long channels = boc[0];
        for (int i = 0; i < levels; i++) {
            long pixels = h[i] * w[i];
            for (int j = 0; j < c.layersPerBlock(); j++) {
                flops += n.resnet(pixels, channels, boc[i]);
                channels = boc[i];
                if (c.downBlockTypes()[i].hasCrossAttention()) {
                    flops += n.transformer(pixels, channels, c.transformerLayersPerBlock()[i]);
                }
                skips[pushed++] = channels;
            }
            if (i < levels - 1) {
                flops += n.conv(h[i + 1] * w[i + 1], channels, channels, 3);
                skips[pushed++] = channels;
            }
        }
        int top = levels - 1;
        long topPixels = h[top] * w[top];
        flops += 2 * n.resnet(topPixels, channels, channels)
                + n.transformer(topPixels, channels, c.transformerLayersPerBlock()[top]);
        for (int i = 0; i < levels; i++) {
            int level = top - i;
            long pixels = h[level] * w[level];
            long out = boc[level];
            for (int j = 0; j <= c.layersPerBlock(); j++) {
                flops += n.resnet(pixels, channels + skips[--pushed], out);
                channels = out;
                if (c.upBlockTypes()[i].hasCrossAttention()) {
                    flops += n.transformer(pixels, channels, c.transformerLayersPerBlock()[level]);
                }
            }
            if (i < levels - 1) {
                flops += n.conv(h[level - 1] * w[level - 1], channels, channels, 3); // after upsampling
            }
        }
        return flops + n.conv(h[0] * w[0], boc[0], c.outChannels(), 3);
    }

    /** Counts as the layers do: 2 · outputs · inputs per output. */
    private record Counter(UNet2DConditionModel.Config c, long batch, long tokens) {

        long linear(long rows, long in, long out) {
            return 2 * batch * rows * out * in;
        }

        long conv(long outPixels, long in, long out, long kernel) {
            return 2 * batch * outPixels * out * in * kernel * kernel;
        }

        long resnet(long pixels, long in, long out) {
            long timeDim = 4L * c.blockOutChannels()[0];
            return conv(pixels, in, out, 3)
                    + linear(1, timeDim, out)
                    + conv(pixels, out, out, 3)
                    + (in != out ? conv(pixels, in, out, 1) : 0);
        }

        /** Transformer2DModel: proj_in, the blocks (self-attention, cross-attention, GEGLU), proj_out. */
        long transformer(long pixels, long channels, int layers) {
            long block = 4 * linear(pixels, channels, channels)
                    + attention(pixels, channels, pixels)
                    + 2 * linear(pixels, channels, channels)
                    + 2 * linear(tokens, c.crossAttentionDim(), channels)
                    + attention(pixels, channels, tokens)
                    + linear(pixels, channels, 8 * channels)
                    + linear(pixels, 4 * channels, channels);
            return 2 * linear(pixels, channels, channels) + layers * block;
        }

        /** softmax(q·kᵀ)·v: two products of queries × keys × channels. */
        long attention(long queries, long channels, long keys) {
            return 4 * batch * queries * channels * keys;
        }
    }
}
