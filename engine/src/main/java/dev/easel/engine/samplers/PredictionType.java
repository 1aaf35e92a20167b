package dev.easel.engine.samplers;

import dev.easel.engine.EngineException;

/** What the UNet predicts: diffusers' {@code prediction_type}. */
public enum PredictionType {
    /** The noise ε (SD 1.x, SD 2.x base). */
    EPSILON,
    /** v = √ᾱ·ε − √(1−ᾱ)·x₀ (Salimans and Ho 2022; SD 2.x 768-v). */
    V_PREDICTION,
    /** The clean sample x₀ itself. */
    SAMPLE;

    /** The name in {@code scheduler_config.json}. */
    public String configName() {
        return ConfigEnums.configName(this);
    }

    /**
     * The prediction type a config value names (case-insensitive).
     *
     * @param where what held the value, for the error
     * @throws EngineException one line naming the value and the choices
     */
    public static PredictionType parse(String value, String where) {
        return ConfigEnums.parse(values(), value, where, "prediction type");
    }

    @Override
    public String toString() {
        return configName();
    }
}
