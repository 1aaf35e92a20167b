package dev.easel.engine.defaultmodel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.EngineException;
import dev.easel.engine.models.ClipTextModel;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.tokenizer.ClipTokenizer;
import dev.easel.engine.train.DenoisingLoss;
import dev.easel.engine.train.ExponentialMovingAverage;
import dev.easel.engine.train.TrainingObjective;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Stage 2 of the default model: text encoder and UNet learn together to predict the noise added to cached latents,
 * conditioned on the caption — the objective SD 1.x was trained with. A fraction of captions is replaced by the
 * empty prompt so the model also learns the unconditional prediction classifier-free guidance needs. The UNet's
 * weights are averaged (EMA); the average is what ships.
 */
final class DenoiserObjective implements TrainingObjective, AutoCloseable {

    private final ClipTextModel textEncoder;
    private final UNet2DConditionModel unet;
    private final ClipTokenizer tokenizer;
    private final LatentCache latents;
    private final DenoisingLoss denoising;
    private final double scalingFactor;
    private final int batch;
    private final int microBatches;
    private final double captionDropout;
    private final double noiseOffset;
    private final double snrGamma;
    private final long seed;
    private final ExponentialMovingAverage ema;
    private final Map<String, Object> identity;
    private long shuffledEpoch = -1;
    private int[] order;

    DenoiserObjective(
            ClipTextModel textEncoder,
            UNet2DConditionModel unet,
            ClipTokenizer tokenizer,
            LatentCache latents,
            DenoisingLoss denoising,
            double scalingFactor,
            int batch,
            int microBatches,
            double captionDropout,
            double noiseOffset,
            double snrGamma,
            long seed,
            double emaDecay,
            NDManager manager,
            Map<String, Object> identity) {
        this.textEncoder = textEncoder;
        this.unet = unet;
        this.tokenizer = tokenizer;
        this.latents = latents;
        this.denoising = denoising;
        this.scalingFactor = scalingFactor;
        this.batch = batch;
        this.microBatches = microBatches;
        this.captionDropout = captionDropout;
        this.noiseOffset = noiseOffset;
        this.snrGamma = snrGamma;
        this.seed = seed;
        this.ema = new ExponentialMovingAverage(unet.parameters(), emaDecay, manager);
        this.identity = identity;
    }

    @Override
    public Map<String, NDArray> trainableParameters() {
        Map<String, NDArray> named = new LinkedHashMap<>();
        textEncoder.parameters().forEach((name, p) -> named.put("text_encoder." + name, p));
        unet.parameters().forEach((name, p) -> named.put("unet." + name, p));
        return named;
    }

    @Override
    public NDArray loss(NDManager scope, long step, int micro) {
        int[] indices = new int[batch];
        long[] ids = new long[batch * tokenizer.maxLength()];
        for (int i = 0; i < batch; i++) {
            long position = (step * microBatches + micro) * batch + i;
            indices[i] = example(position);
            boolean drop = new Random(seed ^ (position * 0x9E3779B97F4A7C15L)).nextDouble() < captionDropout;
            String caption = drop ? "" : latents.caption(indices[i]);
            System.arraycopy(tokenizer.encode(caption), 0, ids, i * tokenizer.maxLength(), tokenizer.maxLength());
        }
        NDArray x0 = latents.sample(scope, indices).mul(scalingFactor);
        NDArray noise = denoising.sampleNoise(scope, x0, noiseOffset);
        long[] timesteps = denoising.sampleTimesteps(scope, batch).toLongArray();
        NDArray noisy = denoising.addNoise(scope, x0, noise, timesteps);
        NDArray context = textEncoder
                .forward(scope, scope.create(ids, new Shape(batch, tokenizer.maxLength())))
                .lastHiddenState();
        double[] t = new double[batch];
        for (int i = 0; i < batch; i++) {
            t[i] = timesteps[i];
        }
        NDArray prediction = unet.forward(scope, noisy, t, context, null);
        return denoising.loss(scope, prediction, denoising.target(scope, x0, noise, timesteps), timesteps, snrGamma);
    }

    /** The pool example at a position of the training stream: a fresh shuffle of the pool every epoch. */
    private int example(long position) {
        long epoch = position / latents.size();
        if (epoch != shuffledEpoch) {
            order = new int[latents.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Random random = new Random(seed + epoch);
            for (int i = order.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int swap = order[i];
                order[i] = order[j];
                order[j] = swap;
            }
            shuffledEpoch = epoch;
        }
        return order[(int) (position % latents.size())];
    }

    @Override
    public void afterStep(long completedSteps) {
        ema.update(unet.parameters(), completedSteps);
    }

    @Override
    public Map<String, NDArray> extraState() {
        Map<String, NDArray> named = new LinkedHashMap<>();
        ema.weights().forEach((name, w) -> named.put("ema.unet." + name, w));
        return named;
    }

    @Override
    public void restoreExtraState(Map<String, NDArray> state) {
        ema.weights().forEach((name, w) -> {
            NDArray saved = state.get("ema.unet." + name);
            if (saved == null) {
                throw new EngineException("the checkpoint has no EMA weight for unet." + name);
            }
            saved.copyTo(w);
        });
    }

    /** The averaged UNet weights, by UNet parameter name. */
    Map<String, NDArray> emaWeights() {
        return ema.weights();
    }

    @Override
    public Map<String, Object> identity() {
        return identity;
    }

    @Override
    public void close() {
        ema.close();
    }
}
