package dev.easel.engine.samplers;

import dev.easel.engine.EngineException;

/**
 * How a sampler picks its timesteps from the training schedule: diffusers' {@code timestep_spacing} (Lin et al.
 * 2023, table 2). Each sampler class has its own default (DDIM and PLMS "leading", the others "linspace").
 */
public enum TimestepSpacing {
    /** {@code arange(0, n) * (T // n)} + {@code steps_offset}: never reaches T − 1. */
    LEADING,
    /** Evenly from T − 1 down to 0, both included. */
    LINSPACE,
    /** Evenly down from T − 1, so the first step is the pure-noise end (what zero-terminal-SNR models need). */
    TRAILING;

    /** The name in {@code scheduler_config.json} and on the command line. */
    public String configName() {
        return ConfigEnums.configName(this);
    }

    /**
     * The spacing a config value or option names (case-insensitive).
     *
     * @param where what held the value (e.g. {@code "scheduler_config.json: timestep_spacing"}), for the error
     * @throws EngineException one line naming the value and the choices
     */
    public static TimestepSpacing parse(String value, String where) {
        return ConfigEnums.parse(values(), value, where, "timestep spacing");
    }

    @Override
    public String toString() {
        return configName();
    }
}
