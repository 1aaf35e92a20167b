package dev.easel.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.easel.engine.torch.LibTorch;
import java.util.function.Function;

/**
 * The one mechanism by which forward passes free their activations early. DJL frees an array only when it or its
 * manager is closed, so a forward pass that puts every intermediate on the caller's manager holds all of them at once
 * (an SD 1.5 UNet step at 512² with CFG: about 12 GB). Each layer ({@link ResnetBlock2D}, {@link Attention}, the
 * transformer blocks, the text encoder's layers, the VAE's resnets) therefore runs its body on a sub-manager of the
 * caller's scope; its result is moved to the caller's scope and the sub-manager — with every other array the layer
 * made — is closed as the layer returns. Peak memory becomes the weights, the arrays that live across layers (the
 * UNet's skip connections) and the largest single layer.
 *
 * <p>Only in inference: with grad mode on (training), the autograd graph still needs the intermediates for the backward
 * pass, so the body runs on the caller's scope unchanged and everything lives until the training step's manager
 * closes. Either way the arithmetic is the same, so results are bit-identical.
 *
 * <p>Arrays a layer makes from an operand of the caller's scope (DJL attaches a result to its first operand's manager)
 * land on the caller's scope, not the sub-manager; layer bodies start from their own results where that matters.
 */
public final class LayerScope {

    private LayerScope() {}

    /**
     * Whether layer bodies may overwrite and free their own temporaries: only in inference. A fresh array is costly
     * beyond its bytes: large tensors are mapped anew from the system and every page is faulted in on first touch,
     * which at 512² costs more than the arithmetic of an elementwise op (an SD 1.5 VAE decode spent most of its time
     * there). Writing results into a temporary the layer owns (residual adds, SiLU) and freeing each temporary when its
     * consumer has run keeps both the time and the peak down, and so do channels-last convolutions ({@link Conv2d}).
     * In training autograd needs them all, and a checkpointed segment's gradient-free forward pass must match its
     * recomputation with gradients. {@code -Deasel.reuse=off} turns this off (to compare).
     */
    public static boolean reusing() {
        return !LibTorch.gradMode()
                && !GradientCheckpointing.recordingForward()
                && !"off".equals(System.getProperty("easel.reuse"));
    }

    /** {@code owned + other}, written over {@code owned} (a temporary of the calling layer) when {@link #reusing}. */
    public static NDArray addInto(NDArray owned, NDArray other) {
        return reusing() ? owned.addi(other) : owned.add(other);
    }

    /** {@code owned · other}, written over {@code owned} (a temporary of the calling layer) when {@link #reusing}. */
    public static NDArray mulInto(NDArray owned, NDArray other) {
        return reusing() ? owned.muli(other) : owned.mul(other);
    }

    /** Closes temporaries of the calling layer whose consumers have run, when {@link #reusing}. */
    public static void free(NDArray... temporaries) {
        if (reusing()) {
            for (NDArray t : temporaries) {
                t.close();
            }
        }
    }

    /** Runs {@code body} on a sub-manager of {@code scope} (in inference); its result comes back on {@code scope}. */
    public static NDArray run(NDManager scope, Function<NDManager, NDArray> body) {
        if (LibTorch.gradMode()) {
            return body.apply(scope);
        }
        try (NDManager layer = scope.newSubManager()) {
            NDArray out = body.apply(layer);
            out.attach(scope);
            return out;
        }
    }
}
