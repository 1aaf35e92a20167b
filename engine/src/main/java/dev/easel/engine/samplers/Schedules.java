package dev.easel.engine.samplers;

/** NumPy-exact schedule arithmetic shared by the samplers (linspace, round-half-even, interp, Karras). */
final class Schedules {

    private Schedules() {}

    /** {@code np.linspace(start, stop, n)} in float64. */
    static double[] linspace(double start, double stop, int n) {
        double[] out = new double[n];
        if (n == 1) {
            out[0] = start;
            return out;
        }
        double step = (stop - start) / (n - 1);
        for (int i = 0; i < n; i++) {
            out[i] = i * step + start;
        }
        out[n - 1] = stop;
        return out;
    }

    static double[] reverse(double[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[a.length - 1 - i];
        }
        return r;
    }

    /** {@code np.round} (half to even). */
    static double[] round(double[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = Math.rint(a[i]);
        }
        return r;
    }

    static double[] toFloat32(double[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = (float) a[i];
        }
        return r;
    }

    /** √((1−ᾱ)/ᾱ) as torch computes it in float32. */
    static float[] trainSigmas(float[] alphasCumprod) {
        float[] s = new float[alphasCumprod.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) Math.sqrt((1f - alphasCumprod[i]) / alphasCumprod[i]);
        }
        return s;
    }

    /** {@code np.interp(x, arange(len(fp)), fp)} in float64. */
    static double[] interp(double[] x, float[] fp) {
        double[] out = new double[x.length];
        int n = fp.length;
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            if (v <= 0) {
                out[i] = fp[0];
            } else if (v >= n - 1) {
                out[i] = fp[n - 1];
            } else {
                int j = (int) Math.floor(v);
                if (v == j) {
                    out[i] = fp[j];
                } else {
                    double slope = ((double) fp[j + 1] - fp[j]) / 1.0;
                    out[i] = slope * (v - j) + fp[j];
                }
            }
        }
        return out;
    }

    /**
     * Timesteps of the DDIM/Euler family for a spacing ("leading" with steps_offset, "linspace", "trailing"),
     * in float64 before any cast, highest first.
     */
    static double[] spacedTimesteps(TimestepSpacing spacing, int steps, int trainSteps, int stepsOffset) {
        switch (spacing) {
            case LINSPACE:
                return reverse(round(linspace(0, trainSteps - 1, steps)));
            case LEADING: {
                int ratio = trainSteps / steps;
                double[] t = new double[steps];
                for (int i = 0; i < steps; i++) {
                    t[steps - 1 - i] = (double) i * ratio + stepsOffset;
                }
                return t;
            }
            case TRAILING: {
                double ratio = (double) trainSteps / steps;
                int n = (int) Math.ceil(trainSteps / ratio);
                double[] t = new double[n];
                for (int i = 0; i < n; i++) {
                    t[i] = Math.rint(trainSteps + i * -ratio) - 1;
                }
                return t;
            }
            default:
                throw new IllegalStateException("unhandled spacing " + spacing);
        }
    }

    /** Karras et al. (2022) sigmas, ρ = 7, from σmax down to σmin. */
    static double[] karras(double sigmaMin, double sigmaMax, int n) {
        double rho = 7.0;
        double[] ramp = linspace(0, 1, n);
        double minInv = Math.pow(sigmaMin, 1 / rho);
        double maxInv = Math.pow(sigmaMax, 1 / rho);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = Math.pow(maxInv + ramp[i] * (minInv - maxInv), rho);
        }
        return out;
    }

    /** diffusers' {@code _sigma_to_t}: fractional timestep of a sigma by log-sigma interpolation. */
    static double sigmaToT(double sigma, float[] logSigmas) {
        double logSigma = Math.log(Math.max(sigma, 1e-10));
        int n = logSigmas.length;
        int low = 0;
        for (int i = 0; i < n; i++) {
            if (logSigma - logSigmas[i] >= 0) {
                low = i;
            }
        }
        low = Math.min(low, n - 2);
        double lo = logSigmas[low];
        double hi = logSigmas[low + 1];
        double w = (lo - logSigma) / (lo - hi);
        w = Math.max(0, Math.min(1, w));
        return (1 - w) * low + w * (low + 1);
    }

    static float[] logs(float[] a) {
        float[] r = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = (float) Math.log(a[i]);
        }
        return r;
    }
}
