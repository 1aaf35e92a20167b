package dev.easel.engine.samplers;

import dev.easel.engine.EngineException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The sampler registry: one line per sampler (see the package documentation for how to add one). Every place that
 * names a sampler — the command line, the magics, the Java API, sweeps, the A1111 "parameters" text — resolves the
 * name here, so ids ({@code dpmpp_2m}), A1111 display names ({@code "DPM++ 2M"}), their Karras variants
 * ({@code "DPM++ 2M Karras"}, {@code dpmpp_2m_karras}) and any sigma sampler with a schedule in its name
 * ({@code "Euler Karras"}, {@code "DPM++ 2M SDE Exponential"}: {@link #parse}) work everywhere.
 */
public final class Samplers {

    /** Makes the sampler of one generation from the model's scheduler config; {@code eta} is DDIM's η. */
    @FunctionalInterface
    public interface Factory {
        Sampler create(SchedulerConfig config, double eta, SigmaSchedule schedule);
    }

    /**
     * One registered sampler.
     *
     * @param id             short id (command line, magics, sweeps)
     * @param displayName    the name A1111 shows and writes into "parameters"
     * @param diffusersClass the diffusers scheduler class it reproduces (null: none, k-diffusion's arithmetic)
     * @param stochastic     draws fresh noise every step (a sweep cannot batch such cells)
     * @param karras         uses Karras et al.'s sigmas ({@code use_karras_sigmas}); each sampler registered with
     *                       {@link #KARRAS} has such a variant, named "{@code <name> Karras}" / {@code <id>_karras}
     * @param sigmaBased     takes a {@link SigmaSchedule} (DDIM and PLMS step on timesteps only)
     */
    public record Info(
            String id,
            String displayName,
            String diffusersClass,
            boolean stochastic,
            boolean karras,
            boolean sigmaBased,
            Factory factory) {

        /** A fresh sampler for one generation with its default schedule (Karras' for a Karras entry). */
        public Sampler create(SchedulerConfig config, double eta) {
            return create(config, eta, null);
        }

        /** A fresh sampler for one generation; {@code schedule} null = this entry's own. */
        public Sampler create(SchedulerConfig config, double eta, SigmaSchedule schedule) {
            SigmaSchedule s = schedule != null && schedule != SigmaSchedule.DEFAULT
                    ? schedule
                    : karras ? SigmaSchedule.KARRAS : SigmaSchedule.DEFAULT;
            return factory.create(config.withKarrasSigmas(s == SigmaSchedule.KARRAS), eta, s);
        }
    }

    /** A sampler name read as sampler + schedule; {@code schedule} is null when the name does not say one. */
    public record Choice(String id, SigmaSchedule schedule) {}

    private static final boolean STOCHASTIC = true;
    private static final boolean DETERMINISTIC = false;
    /** The sampler also comes with Karras sigmas registered as an id of its own ({@code dpmpp_2m_karras}). */
    private static final boolean KARRAS = true;

    private static final boolean NO_KARRAS = false;
    /** Samplers that step on timesteps, not sigmas: no schedule choice. */
    private static final Set<String> TIMESTEP_SAMPLERS = Set.of("ddim", "pndm");

    private static final Map<String, Info> BY_ID = new LinkedHashMap<>();
    private static final Map<String, String> NAMES = new LinkedHashMap<>();

    static {
        // id, A1111 name, diffusers class, noise per step, Karras variant, factory, other names people write
        register(
                "ddim",
                "DDIM",
                "DDIMScheduler",
                DETERMINISTIC,
                NO_KARRAS,
                (config, eta, s) -> new DdimSampler(config, eta));
        register("euler", "Euler", "EulerDiscreteScheduler", DETERMINISTIC, NO_KARRAS, EulerSampler::new, "k_euler");
        register(
                "euler_a",
                "Euler a",
                "EulerAncestralDiscreteScheduler",
                STOCHASTIC,
                NO_KARRAS,
                EulerAncestralSampler::new,
                "euler ancestral",
                "euler_ancestral",
                "k_euler_a");
        register(
                "dpmpp_2m",
                "DPM++ 2M",
                "DPMSolverMultistepScheduler",
                DETERMINISTIC,
                KARRAS,
                DpmPp2mSampler::new,
                "k_dpmpp_2m");
        register(
                "dpmpp_2m_sde",
                "DPM++ 2M SDE",
                "DPMSolverMultistepScheduler",
                STOCHASTIC,
                NO_KARRAS,
                DpmPp2mSdeSampler::new,
                "k_dpmpp_2m_sde");
        register(
                "dpmpp_sde",
                "DPM++ SDE",
                "DPMSolverSDEScheduler",
                STOCHASTIC,
                NO_KARRAS,
                DpmPpSdeSampler::new,
                "k_dpmpp_sde");
        register(
                "dpmpp_2s_a",
                "DPM++ 2S a",
                null,
                STOCHASTIC,
                NO_KARRAS,
                DpmPp2sAncestralSampler::new,
                "k_dpmpp_2s_a",
                "dpmpp_2s_ancestral");
        register("dpm2", "DPM2", "KDPM2DiscreteScheduler", DETERMINISTIC, NO_KARRAS, Dpm2Sampler::new, "k_dpm_2");
        register(
                "dpm2_a",
                "DPM2 a",
                "KDPM2AncestralDiscreteScheduler",
                STOCHASTIC,
                NO_KARRAS,
                Dpm2AncestralSampler::new,
                "k_dpm_2_a",
                "dpm2_ancestral");
        register(
                "pndm",
                "PLMS",
                "PNDMScheduler",
                DETERMINISTIC,
                NO_KARRAS,
                (config, eta, s) -> new PndmSampler(config),
                "plms");
        register("heun", "Heun", "HeunDiscreteScheduler", DETERMINISTIC, NO_KARRAS, HeunSampler::new, "k_heun");
        register("lms", "LMS", "LMSDiscreteScheduler", DETERMINISTIC, NO_KARRAS, LmsSampler::new, "k_lms");
        register("unipc", "UniPC", "UniPCMultistepScheduler", DETERMINISTIC, NO_KARRAS, UniPcSampler::new);
    }

    /** A sigma sampler's constructor: (config, schedule). */
    @FunctionalInterface
    private interface SigmaConstructor {
        Sampler create(SchedulerConfig config, SigmaSchedule schedule);
    }

    private Samplers() {}

    private static void register(
            String id,
            String displayName,
            String diffusersClass,
            boolean stochastic,
            boolean withKarras,
            SigmaConstructor constructor,
            String... otherNames) {
        register(
                id,
                displayName,
                diffusersClass,
                stochastic,
                withKarras,
                (config, eta, s) -> constructor.create(config, s),
                otherNames);
    }

    private static void register(
            String id,
            String displayName,
            String diffusersClass,
            boolean stochastic,
            boolean withKarras,
            Factory factory,
            String... otherNames) {
        boolean sigmaBased = !TIMESTEP_SAMPLERS.contains(id);
        add(new Info(id, displayName, diffusersClass, stochastic, false, sigmaBased, factory), otherNames);
        if (withKarras) {
            List<String> karrasNames = new ArrayList<>();
            for (String name : otherNames) {
                karrasNames.add(name + "_karras");
            }
            add(
                    new Info(
                            id + "_karras",
                            displayName + " Karras",
                            diffusersClass,
                            stochastic,
                            true,
                            sigmaBased,
                            factory),
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
        return name.trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
    }

    /** Every sampler, Karras variants included, in registration order. */
    public static List<Info> all() {
        return List.copyOf(BY_ID.values());
    }

    /**
     * Reads an id or A1111 name, optionally followed by a schedule ("Euler a Karras", "dpmpp_2m_sde exponential",
     * "euler_karras"), case-insensitive.
     *
     * @throws EngineException one line naming the input and the choices
     */
    public static Choice parse(String name) {
        if (name == null || name.isBlank()) {
            throw new EngineException("no sampler given; choose one of " + String.join(", ", BY_ID.keySet()));
        }
        String k = key(name);
        String id = NAMES.get(k);
        if (id != null) {
            return new Choice(id, BY_ID.get(id).karras() ? SigmaSchedule.KARRAS : null);
        }
        for (SigmaSchedule s : List.of(SigmaSchedule.KARRAS, SigmaSchedule.EXPONENTIAL)) {
            for (String sep : new String[] {" ", "_"}) {
                String suffix = sep + s.id();
                String base = k.endsWith(suffix) ? NAMES.get(k.substring(0, k.length() - suffix.length())) : null;
                if (base != null) {
                    Info info = BY_ID.get(base);
                    if (!info.sigmaBased()) {
                        throw new EngineException(info.displayName() + " has no sigma schedule, so '" + name.trim()
                                + "' does not exist; use " + info.displayName() + " alone, or a sigma sampler such as"
                                + " Euler " + s.displayName());
                    }
                    return new Choice(info.karras() ? base.substring(0, base.length() - "_karras".length()) : base, s);
                }
            }
        }
        throw new EngineException("unknown sampler '" + name + "'; choose one of " + String.join(", ", BY_ID.keySet())
                + " (A1111 names such as \"DPM++ 2M SDE Karras\" work too)");
    }

    /** The short id for an id, A1111 name or other known name (a schedule in the name is dropped: {@link #parse}). */
    public static String resolve(String name) {
        return parse(name).id();
    }

    /** The sampler a name means. */
    public static Info info(String name) {
        return BY_ID.get(resolve(name));
    }

    /** Checks a schedule name ({@code default}, {@code karras}, {@code exponential}; null = default). */
    public static SigmaSchedule schedule(String name) {
        return SigmaSchedule.parse(name);
    }

    /**
     * The schedule a generation uses: an explicit, non-default {@code schedule} wins over one the sampler name
     * implies ("Euler Karras"); DDIM and PLMS only have their own.
     */
    public static SigmaSchedule effectiveSchedule(String samplerName, String schedule) {
        Choice c = parse(samplerName);
        SigmaSchedule explicit = SigmaSchedule.parse(schedule);
        SigmaSchedule s = explicit != SigmaSchedule.DEFAULT
                ? explicit
                : c.schedule() != null ? c.schedule() : SigmaSchedule.DEFAULT;
        if (s != SigmaSchedule.DEFAULT && !BY_ID.get(c.id()).sigmaBased()) {
            throw new EngineException(BY_ID.get(c.id()).displayName() + " has no sigma schedule; use --schedule"
                    + " default with it, or a sigma sampler such as Euler or DPM++ 2M");
        }
        return s;
    }

    /** A fresh sampler for a generation with the schedule its name says (if any). {@code eta} only affects DDIM. */
    public static Sampler create(String name, SchedulerConfig config, double eta) {
        return create(name, config, eta, null);
    }

    /** A fresh sampler for a generation. {@code eta} only affects DDIM; {@code schedule} null = default. */
    public static Sampler create(String name, SchedulerConfig config, double eta, String schedule) {
        SigmaSchedule s = effectiveSchedule(name, schedule);
        return BY_ID.get(parse(name).id()).create(config, eta, s);
    }
}
