package dev.easel.engine.samplers;

import dev.easel.engine.EngineException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The sampler registry: one line per sampler (see the package documentation for how to add one). Every place that
 * names a sampler — the command line, the magics, the Java API, sweeps, the A1111 "parameters" text — resolves the
 * name here, so ids ({@code dpmpp_2m}), A1111 display names ({@code "DPM++ 2M"}) and their Karras variants
 * ({@code "DPM++ 2M Karras"}, {@code dpmpp_2m_karras}) work everywhere.
 */
public final class Samplers {

    /** Makes the sampler of one generation from the model's scheduler config; {@code eta} is DDIM's η. */
    @FunctionalInterface
    public interface Factory {
        Sampler create(SchedulerConfig config, double eta);
    }

    /**
     * One registered sampler.
     *
     * @param id             short id (command line, magics, sweeps)
     * @param displayName    the name A1111 shows and writes into "parameters"
     * @param diffusersClass the diffusers scheduler class it reproduces
     * @param stochastic     draws fresh noise every step (a sweep cannot batch such cells)
     * @param karras         uses Karras et al.'s sigmas ({@code use_karras_sigmas}); each sampler registered with
     *                       {@link #KARRAS} has such a variant, named "{@code <name> Karras}" / {@code <id>_karras}
     */
    public record Info(String id, String displayName, String diffusersClass, boolean stochastic, boolean karras,
                       Factory factory) {

        /** A fresh sampler for one generation; the schedule is Karras' exactly when this entry says so. */
        public Sampler create(SchedulerConfig config, double eta) {
            return factory.create(config.withKarrasSigmas(karras), eta);
        }
    }

    private static final boolean STOCHASTIC = true;
    private static final boolean DETERMINISTIC = false;
    /** The sampler also comes with Karras sigmas (its implementation reads {@code useKarrasSigmas}). */
    private static final boolean KARRAS = true;
    private static final boolean NO_KARRAS = false;

    private static final Map<String, Info> BY_ID = new LinkedHashMap<>();
    private static final Map<String, String> NAMES = new LinkedHashMap<>();

    static {
        // id, A1111 name, diffusers class, noise per step, Karras variant, factory, other names people write
        register("ddim", "DDIM", "DDIMScheduler", DETERMINISTIC, NO_KARRAS, DdimSampler::new);
        register("euler", "Euler", "EulerDiscreteScheduler", DETERMINISTIC, NO_KARRAS,
                (config, eta) -> new EulerSampler(config), "k_euler");
        register("euler_a", "Euler a", "EulerAncestralDiscreteScheduler", STOCHASTIC, NO_KARRAS,
                (config, eta) -> new EulerAncestralSampler(config), "euler ancestral", "euler_ancestral", "k_euler_a");
        register("dpmpp_2m", "DPM++ 2M", "DPMSolverMultistepScheduler", DETERMINISTIC, KARRAS,
                (config, eta) -> new DpmPp2mSampler(config), "k_dpmpp_2m");
        register("pndm", "PLMS", "PNDMScheduler", DETERMINISTIC, NO_KARRAS,
                (config, eta) -> new PndmSampler(config), "plms");
        register("heun", "Heun", "HeunDiscreteScheduler", DETERMINISTIC, NO_KARRAS,
                (config, eta) -> new HeunSampler(config), "k_heun");
        register("lms", "LMS", "LMSDiscreteScheduler", DETERMINISTIC, NO_KARRAS,
                (config, eta) -> new LmsSampler(config), "k_lms");
        register("unipc", "UniPC", "UniPCMultistepScheduler", DETERMINISTIC, NO_KARRAS,
                (config, eta) -> new UniPcSampler(config));
    }

    private Samplers() {
    }

    private static void register(String id, String displayName, String diffusersClass, boolean stochastic,
                                 boolean withKarras, Factory factory, String... otherNames) {
        add(new Info(id, displayName, diffusersClass, stochastic, false, factory), otherNames);
        if (withKarras) {
            List<String> karrasNames = new ArrayList<>();
            for (String name : otherNames) {
                karrasNames.add(name + "_karras");
            }
            add(new Info(id + "_karras", displayName + " Karras", diffusersClass, stochastic, true, factory),
                    karrasNames.toArray(String[]::new));
        }
    }

    private static void add(Info info, String... otherNames) {
        if (BY_ID.put(info.id(), info) != null) {
            throw new IllegalStateException("sampler id registered twice: " + info.id());
        }
        NAMES.put(key(info.id()), info.id());
        NAMES.put(key(info.displayName()), info.id());
        for (String name : otherNames) {
            NAMES.put(key(name), info.id());
        }
    }

    private static String key(String name) {
        return name.trim().toLowerCase(Locale.ROOT);
    }

    /** Every sampler, Karras variants included, in registration order. */
    public static List<Info> all() {
        return List.copyOf(BY_ID.values());
    }

    /**
     * The short id for an id, A1111 name or other known name (case-insensitive).
     *
     * @throws EngineException one line naming the input and the choices
     */
    public static String resolve(String name) {
        return info(name).id();
    }

    /**
     * The sampler a name means.
     *
     * @throws EngineException one line naming the input and the choices (and, for "X Karras" where X has no Karras
     *                         schedule, which samplers have one)
     */
    public static Info info(String name) {
        if (name == null || name.isBlank()) {
            throw new EngineException("no sampler given; choose one of " + String.join(", ", BY_ID.keySet()));
        }
        String id = NAMES.get(key(name));
        if (id != null) {
            return BY_ID.get(id);
        }
        String k = key(name);
        for (String suffix : new String[] {" karras", "_karras"}) {
            if (k.endsWith(suffix) && NAMES.containsKey(k.substring(0, k.length() - suffix.length()))) {
                List<String> withKarras = BY_ID.values().stream().filter(Info::karras).map(Info::displayName)
                        .toList();
                throw new EngineException("sampler '" + name.trim() + "' has no Karras schedule in Easel; samplers"
                        + " with one: " + String.join(", ", withKarras));
            }
        }
        throw new EngineException("unknown sampler '" + name + "'; choose one of "
                + String.join(", ", BY_ID.keySet()));
    }

    /** A fresh sampler for a generation. {@code eta} only affects DDIM. */
    public static Sampler create(String name, SchedulerConfig config, double eta) {
        return info(name).create(config, eta);
    }
}
