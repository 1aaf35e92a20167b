package dev.easel.engine.samplers;

import dev.easel.engine.EngineException;
import java.util.Locale;

/**
 * How a sigma-based sampler spaces its noise levels (A1111's "Schedule type"): the model's own (timesteps spaced
 * evenly, sigmas read off the training schedule), Karras et al.'s (ρ = 7, denser at low noise) or exponential
 * (evenly spaced in log σ). Both alternatives run from the σmax to the σmin of the default schedule.
 */
public enum SigmaSchedule {
    DEFAULT("default", "Automatic"),
    KARRAS("karras", "Karras"),
    EXPONENTIAL("exponential", "Exponential");

    private final String id;
    private final String displayName;

    SigmaSchedule(String id, String displayName) {
        this.id = id;
        this.displayName = displayName;
    }

    public String id() {
        return id;
    }

    /** The name A1111 writes in "Schedule type". */
    public String displayName() {
        return displayName;
    }

    /** {@code default}/{@code automatic}, {@code karras}, {@code exponential} (any case); null means default. */
    public static SigmaSchedule parse(String name) {
        if (name == null || name.isBlank()) {
            return DEFAULT;
        }
        String k = name.strip().toLowerCase(Locale.ROOT);
        for (SigmaSchedule s : values()) {
            if (s.id.equals(k) || s.displayName.toLowerCase(Locale.ROOT).equals(k)) {
                return s;
            }
        }
        throw new EngineException("unknown schedule '" + name + "'; use default, karras or exponential");
    }

    /** The sigmas of this schedule for {@code n} steps from {@code sigmaMax} down to {@code sigmaMin} (no final 0). */
    double[] sigmas(double sigmaMin, double sigmaMax, int n) {
        switch (this) {
            case KARRAS:
                return Schedules.karras(sigmaMin, sigmaMax, n);
            case EXPONENTIAL: {
                double[] l = Schedules.linspace(Math.log(sigmaMax), Math.log(sigmaMin), n);
                double[] out = new double[n];
                for (int i = 0; i < n; i++) {
                    out[i] = (float) Math.exp((float) l[i]);
                }
                return out;
            }
            default:
                throw new IllegalStateException("the default schedule comes from the timesteps");
        }
    }
}
