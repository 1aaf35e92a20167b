package dev.easel.engine.samplers;

import dev.easel.engine.EngineException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Enums whose constants are diffusers' config strings in upper case ({@code v_prediction} ↔ V_PREDICTION). */
final class ConfigEnums {

    private ConfigEnums() {}

    static String configName(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }

    /** The constant a config value names (case-insensitive), or one line naming the value and the choices. */
    static <E extends Enum<E>> E parse(E[] constants, String value, String where, String what) {
        String wanted = value == null ? "" : value.trim();
        for (E constant : constants) {
            if (configName(constant).equalsIgnoreCase(wanted)) {
                return constant;
            }
        }
        throw new EngineException(where + ": unknown " + what + " '" + value + "'; use one of "
                + Arrays.stream(constants).map(ConfigEnums::configName).collect(Collectors.joining(", ")));
    }
}
