package dev.easel.engine.samplers;

import dev.easel.engine.EngineException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The sampler registry: short ids and the names the web UIs show. */
public final class Samplers {

    /** One registered sampler. */
    public record Info(String id, String displayName, boolean stochastic) {
    }

    private static final Map<String, Info> BY_ID = new LinkedHashMap<>();
    private static final Map<String, String> ALIASES = new LinkedHashMap<>();

    static {
        add(new Info("ddim", "DDIM", false));
        add(new Info("euler", "Euler", false));
        add(new Info("euler_a", "Euler a", true));
        add(new Info("dpmpp_2m", "DPM++ 2M", false));
        add(new Info("dpmpp_2m_karras", "DPM++ 2M Karras", false));
        add(new Info("pndm", "PLMS", false));
        add(new Info("heun", "Heun", false));
        add(new Info("lms", "LMS", false));
        add(new Info("unipc", "UniPC", false));
        ALIASES.put("pndm", "pndm");
        ALIASES.put("plms", "pndm");
        ALIASES.put("euler ancestral", "euler_a");
        ALIASES.put("euler_ancestral", "euler_a");
        ALIASES.put("k_euler_a", "euler_a");
        ALIASES.put("k_euler", "euler");
        ALIASES.put("k_lms", "lms");
        ALIASES.put("k_heun", "heun");
        ALIASES.put("dpm++ 2m", "dpmpp_2m");
        ALIASES.put("dpm++ 2m karras", "dpmpp_2m_karras");
    }

    private static final Map<String, String> DIFFUSERS_CLASS = Map.of("ddim", "DDIMScheduler",
            "euler", "EulerDiscreteScheduler", "euler_a", "EulerAncestralDiscreteScheduler",
            "dpmpp_2m", "DPMSolverMultistepScheduler", "dpmpp_2m_karras", "DPMSolverMultistepScheduler",
            "pndm", "PNDMScheduler", "heun", "HeunDiscreteScheduler", "lms", "LMSDiscreteScheduler",
            "unipc", "UniPCMultistepScheduler");

    private Samplers() {
    }

    private static void add(Info i) {
        BY_ID.put(i.id(), i);
        ALIASES.put(i.displayName().toLowerCase(Locale.ROOT), i.id());
    }

    public static List<Info> all() {
        return List.copyOf(BY_ID.values());
    }

    /** The short id for an id or web-UI name (case-insensitive), or an exception listing the choices. */
    public static String resolve(String name) {
        if (name == null) {
            throw new EngineException("no sampler given; choose one of " + String.join(", ", BY_ID.keySet()));
        }
        String k = name.trim().toLowerCase(Locale.ROOT);
        if (BY_ID.containsKey(k)) {
            return k;
        }
        String id = ALIASES.get(k);
        if (id == null) {
            throw new EngineException("unknown sampler '" + name + "'; choose one of "
                    + String.join(", ", BY_ID.keySet()));
        }
        return id;
    }

    public static Info info(String name) {
        return BY_ID.get(resolve(name));
    }

    /** A fresh sampler for a generation. {@code eta} only affects DDIM. */
    public static Sampler create(String name, SchedulerConfig config, double eta) {
        String id = resolve(name);
        config = config.forSamplerClass(DIFFUSERS_CLASS.get(id));
        switch (id) {
            case "ddim": return new DdimSampler(config, eta);
            case "euler": return new EulerSampler(config);
            case "euler_a": return new EulerAncestralSampler(config);
            case "dpmpp_2m": return new DpmPp2mSampler(config, false);
            case "dpmpp_2m_karras": return new DpmPp2mSampler(config, true);
            case "pndm": return new PndmSampler(config);
            case "heun": return new HeunSampler(config);
            case "lms": return new LmsSampler(config);
            case "unipc": return new UniPcSampler(config);
            default: throw new EngineException("unknown sampler " + name);
        }
    }
}
