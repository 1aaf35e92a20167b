package dev.easel.engine.samplers;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Linear multistep (order 4), diffusers' {@code LMSDiscreteScheduler}: the next sample is the current one plus a
 * weighted sum of the last derivatives, the weights being integrals of Lagrange polynomials over [σ_i, σ_{i+1}]
 * (computed here by Gauss–Legendre quadrature, exact for these cubic polynomials).
 */
public final class LmsSampler extends SigmaSampler {

    private static final int ORDER = 4;
    private static final double[] GL_X = {
        -0.8611363115940526, -0.3399810435848563, 0.3399810435848563, 0.8611363115940526
    };
    private static final double[] GL_W = {0.3478548451374538, 0.6521451548625461, 0.6521451548625461, 0.3478548451374538
    };

    private final List<NDArray> derivatives = new ArrayList<>();

    public LmsSampler(SchedulerConfig config, SigmaSchedule schedule) {
        super(config, schedule);
    }

    @Override
    public String id() {
        return "lms";
    }

    @Override
    protected void afterSetTimesteps() {
        derivatives.clear();
    }

    private double coefficient(int order, int t, int current) {
        double a = sigmas[t];
        double b = sigmas[t + 1];
        double sum = 0;
        for (int q = 0; q < GL_X.length; q++) {
            double tau = (b - a) / 2 * GL_X[q] + (a + b) / 2;
            double prod = 1;
            for (int k = 0; k < order; k++) {
                if (k == current) {
                    continue;
                }
                prod *= (tau - sigmas[t - k]) / (sigmas[t - current] - sigmas[t - k]);
            }
            sum += GL_W[q] * prod;
        }
        return sum * (b - a) / 2;
    }

    @Override
    public NDArray step(NDArray modelOutput, int index, NDArray sample, Noise noise) {
        float sigma = sigmas[index];
        NDArray x0 = predictX0(modelOutput, sample, sigma);
        NDArray d = keep(derivative(sample, x0, sigma));
        x0.close();
        derivatives.add(d);
        if (derivatives.size() > ORDER) {
            derivatives.remove(0).close();
        }
        int order = Math.min(index + 1, ORDER);
        // img2img starts at a later index with fewer derivatives than the order: diffusers still takes the order's
        // coefficients (from the index) and pairs them with the derivatives it has, newest first
        int terms = Math.min(order, derivatives.size());
        NDArray acc = sample.duplicate();
        for (int k = 0; k < terms; k++) {
            NDArray deriv = derivatives.get(derivatives.size() - 1 - k);
            NDArray term = deriv.mul((float) coefficient(order, index, k));
            NDArray next = acc.add(term);
            acc.close();
            term.close();
            acc = next;
        }
        return acc;
    }
}
