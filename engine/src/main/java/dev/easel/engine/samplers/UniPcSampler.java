package dev.easel.engine.samplers;

import ai.djl.ndarray.NDArray;

/**
 * UniPC (Zhao et al. 2023), diffusers' {@code UniPCMultistepScheduler} defaults: order 2, data prediction, B(h) =
 * e^h − 1 ("bh2"), a UniC corrector after every step but the first, lower order at the end
 * ({@code lower_order_final}, on unless the config turns it off).
 */
public final class UniPcSampler extends DpmSolverSampler {

    private NDArray m0; // last converted output
    private NDArray m1; // the one before
    private NDArray lastSample;
    private int lowerOrderNums;
    private int thisOrder;

    public UniPcSampler(SchedulerConfig config, SigmaSchedule schedule) {
        super(config, schedule);
    }

    @Override
    public String id() {
        return "unipc";
    }

    @Override
    protected void reset() {
        m0 = null;
        m1 = null;
        lastSample = null;
        lowerOrderNums = 0;
        thisOrder = 0;
    }

    @Override
    public NDArray step(NDArray modelOutput, int index, NDArray sample, Noise noise) {
        NDArray x0 = keep(convert(modelOutput, sample, index));
        if (index > 0 && lastSample != null) {
            NDArray corrected = keep(corrector(x0, lastSample, sample, index, thisOrder));
            lastSample.close();
            sample = corrected;
        } else {
            if (lastSample != null) {
                lastSample.close();
            }
            sample = keep(sample.duplicate());
        }
        if (m1 != null) {
            m1.close();
        }
        m1 = m0;
        m0 = x0;
        int order = config.lowerOrderFinal() ? Math.min(2, timesteps.length - index) : 2;
        thisOrder = Math.min(order, lowerOrderNums + 1);
        lastSample = sample;
        NDArray out = predictor(sample, index, thisOrder);
        if (lowerOrderNums < 2) {
            lowerOrderNums++;
        }
        return out;
    }

    /** UniP: x_t = (σt/σs0)x − αt·h_φ1·m0 − αt·B(h)·Σ ρ_k D1_k (ρ = ½ for order 2). */
    private NDArray predictor(NDArray x, int index, int order) {
        float sigmaT = sigmas[index + 1];
        float sigmaS0 = sigmas[index];
        float alphaT = alpha(sigmaT);
        float sT = sigmaT * alphaT;
        float sS0 = sigmaS0 * alpha(sigmaS0);
        float h = lambda(sigmaT) - lambda(sigmaS0);
        float hh = -h;
        float hPhi1 = (float) Math.expm1(hh);
        float bH = (float) Math.expm1(hh);
        NDArray base = lin(sT / sS0, x, -alphaT * hPhi1, m0);
        if (order < 2 || m1 == null) {
            return base;
        }
        float lambdaS1 = lambda(sigmas[index - 1]);
        float rk = (lambdaS1 - lambda(sigmaS0)) / h;
        NDArray diff = m1.sub(m0);
        NDArray d1 = diff.div(rk);
        diff.close();
        NDArray res = d1.mul(alphaT * bH * 0.5f);
        NDArray out = base.sub(res);
        base.close();
        res.close();
        d1.close();
        return out;
    }

    /** UniC: corrects the sample just produced using the new model output. */
    private NDArray corrector(NDArray modelT, NDArray x, NDArray xT, int index, int order) {
        float sigmaT = sigmas[index];
        float sigmaS0 = sigmas[index - 1];
        float alphaT = alpha(sigmaT);
        float sT = sigmaT * alphaT;
        float sS0 = sigmaS0 * alpha(sigmaS0);
        float lambdaS0 = lambda(sigmaS0);
        float h = lambda(sigmaT) - lambdaS0;
        double hh = -h;
        double hPhi1 = Math.expm1(hh);
        double bH = Math.expm1(hh);
        // b_i = h_phi_k · i! / B(h), h_phi_k recursion as diffusers
        double hPhiK = hPhi1 / hh - 1;
        double[] b = new double[order];
        double factorial = 1;
        for (int i = 1; i <= order; i++) {
            b[i - 1] = hPhiK * factorial / bH;
            factorial *= i + 1;
            hPhiK = hPhiK / hh - 1 / factorial;
        }
        NDArray base = lin(sT / sS0, x, (float) (-alphaT * hPhi1), m0);
        NDArray dT = modelT.sub(m0);
        NDArray out;
        if (order == 1) {
            NDArray c = dT.mul((float) (alphaT * bH * 0.5));
            out = base.sub(c);
            c.close();
        } else {
            // R = [[1, 1], [rk, 1]], solve R·ρ = b
            float lambdaS1 = lambda(sigmas[index - 2]);
            double rk = (lambdaS1 - lambdaS0) / h;
            double det = 1 * 1 - 1 * rk;
            double rho0 = (b[0] * 1 - 1 * b[1]) / det;
            double rho1 = (1 * b[1] - rk * b[0]) / det;
            NDArray diff = m1 == null ? null : m1.sub(m0);
            NDArray corr = dT.mul((float) rho1);
            if (diff != null) {
                NDArray d1 = diff.div((float) rk);
                NDArray t = d1.mul((float) rho0);
                NDArray s = corr.add(t);
                corr.close();
                t.close();
                d1.close();
                diff.close();
                corr = s;
            }
            NDArray c = corr.mul((float) (alphaT * bH));
            out = base.sub(c);
            c.close();
            corr.close();
        }
        base.close();
        dT.close();
        return out;
    }
}
