package dev.easel.gpu;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.jni.LibUtils;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.easel.engine.io.Npy;
import dev.easel.engine.models.UNet2DConditionModel;
import dev.easel.engine.nn.FlopCounter;
import dev.easel.engine.nn.TensorPlacement;
import dev.easel.engine.pipeline.GenerationResult;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.Latents;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.pipeline.StableDiffusionPipeline;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

/**
 * The measuring program of gpu/run-on-gpu.sh: each stage writes one JSON file and exits 0 when its checks pass,
 * 1 when one fails (the JSON says which), 2 for bad arguments. Runs on the thin jar, on whichever libtorch DJL was
 * pointed at, on the GPU (--device gpu) or, for the rehearsal on a CPU machine, on the CPU (--device cpu).
 *
 * <pre>
 * smoke           --out F                        engine loads, GPU count, one op on the device checked on the CPU
 * matmul          --out F [--n 8192 --iters 30]  float16 and float32 matmul TFLOP/s through the same libtorch
 * parity          --out F --reference DIR [--cases all|N]  reference cases: device fp32 and fp16 vs diffusers and vs CPU fp32
 * speed           --out F --model DIR [--size 512 --steps 20 --matmul F.json]
 *                                                 txt2img it/s (CFG, fp16), UNet TFLOP/s and fraction of matmul,
 *                                                 every live tensor on the model's device mid-generation
 * instance-images --out DIR [--size 512 --count 4] a few pictures of one subject for the DreamBooth stage
 * </pre>
 */
public final class GpuProbe {

    /** Final latents, relative L2 error: float32 on the GPU against diffusers' CPU float32 (the bound). */
    static final double FP32_TOLERANCE = 1e-3;
    /**
     * Float16 against float32: half precision keeps 11 significant bits (relative rounding 4.9e-4 per op); through
     * a 10 to 20 step sampling loop that compounds to about 1e-3..1e-2 on the tiny reference model (measured on the
     * CPU, see gpu/README.md), so 3e-2 is the bound.
     */
    static final double FP16_TOLERANCE = 3e-2;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private GpuProbe() {
    }

    public static void main(String[] argv) throws Exception {
        if (argv.length == 0) {
            System.err.println("usage: GpuProbe smoke|matmul|parity|speed|instance-images --out F [options]");
            System.exit(2);
        }
        Map<String, String> a = options(argv);
        Path out = Path.of(required(a, "out"));
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("stage", argv[0]);
        boolean ok;
        try {
            ok = switch (argv[0]) {
                case "smoke" -> smoke(a, r);
                case "matmul" -> matmul(a, r);
                case "parity" -> parity(a, r);
                case "speed" -> speed(a, r);
                case "instance-images" -> instanceImages(a, out, r);
                default -> throw new IllegalArgumentException("unknown stage '" + argv[0] + "'");
            };
        } catch (IllegalArgumentException e) {
            System.err.println("GpuProbe: " + e.getMessage());
            System.exit(2);
            return;
        } catch (Exception | Error e) {
            r.put("error", e.getClass().getName() + ": " + e.getMessage());
            e.printStackTrace();
            ok = false;
        }
        r.put("ok", ok);
        if (!argv[0].equals("instance-images")) {
            JSON.writeValue(out.toFile(), r);
        }
        System.out.println(JSON.writeValueAsString(r));
        System.exit(ok ? 0 : 1);
    }

    static Device device(Map<String, String> a) {
        String d = a.getOrDefault("device", "gpu");
        return switch (d) {
            case "gpu" -> Device.gpu();
            case "cpu" -> Device.cpu();
            default -> throw new IllegalArgumentException("--device must be gpu or cpu, got '" + d + "'");
        };
    }

    // ---- smoke ----

    static boolean smoke(Map<String, String> a, Map<String, Object> r) {
        Engine e = Engine.getInstance();
        r.put("engine", e.getEngineName() + " " + e.getVersion());
        r.put("libtorch", LibUtils.getLibtorchPath());
        r.put("gpu_count", e.getGpuCount());
        r.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        Device d = device(a);
        if (d.isGpu() && e.getGpuCount() == 0) {
            r.put("error", "DJL sees no GPU: libtorch at " + LibUtils.getLibtorchPath() + " has no CUDA, or no driver");
            return false;
        }
        // One op of each kind the engine leans on, on the device, checked against the same on the CPU.
        try (NDManager cpu = NDManager.newBaseManager(Device.cpu())) {
            Engine.getInstance().setRandomSeed(7);
            NDArray x = cpu.randomNormal(new Shape(64, 96));
            NDArray w = cpu.randomNormal(new Shape(96, 32));
            float[] want = x.matMul(w).softmax(1).toFloatArray();
            for (DataType t : new DataType[] {DataType.FLOAT32, DataType.FLOAT16}) {
                NDArray xd = x.toDevice(d, true).toType(t, false);
                NDArray wd = w.toDevice(d, true).toType(t, false);
                NDArray y = xd.matMul(wd).softmax(1);
                String where = y.getDevice().toString();
                float[] got = y.toType(DataType.FLOAT32, false).toDevice(Device.cpu(), false).toFloatArray();
                double rel = relative(got, want);
                r.put("matmul_softmax_" + name(t) + "_rel_error", rel);
                r.put("result_device_" + name(t), where);
                if (!where.equals(d.toString()) || rel > (t == DataType.FLOAT16 ? 1e-2 : 1e-4)) {
                    r.put("error", name(t) + " matmul+softmax on " + where + " is off by " + rel);
                    return false;
                }
            }
        }
        return true;
    }

    // ---- matmul ----

    static boolean matmul(Map<String, String> a, Map<String, Object> r) {
        Device d = device(a);
        int n = Integer.parseInt(a.getOrDefault("n", "8192"));
        int iters = Integer.parseInt(a.getOrDefault("iters", "30"));
        Engine.getInstance(); // loads the natives: JniUtils needs them
        JniUtils.setGradMode(false);
        r.put("device", d.toString());
        r.put("n", n);
        r.put("fp16_tflops", matmulTflops(d, DataType.FLOAT16, n, iters));
        r.put("fp32_tflops", matmulTflops(d, DataType.FLOAT32, n, Math.max(3, iters / 4)));
        return true;
    }

    /** n³ matmuls back to back; one element read at the end waits for the device to finish them all. */
    static double matmulTflops(Device d, DataType t, int n, int iters) {
        try (NDManager m = NDManager.newBaseManager(d)) {
            NDArray x = m.randomNormal(new Shape(n, n)).toType(t, false);
            NDArray y = m.randomNormal(new Shape(n, n)).toType(t, false);
            for (int i = 0; i < 3; i++) {
                try (NDArray z = x.matMul(y)) {
                    z.getFloat(0L, 0L);
                }
            }
            long t0 = System.nanoTime();
            NDArray last = null;
            for (int i = 0; i < iters; i++) {
                if (last != null) {
                    last.close();
                }
                last = x.matMul(y);
            }
            last.toType(DataType.FLOAT32, false).getFloat(0L, 0L);
            double s = (System.nanoTime() - t0) / 1e9;
            return 2.0 * n * n * (double) n * iters / s / 1e12;
        }
    }

    // ---- parity ----

    static boolean parity(Map<String, String> a, Map<String, Object> r) throws IOException {
        Path ref = Path.of(required(a, "reference"));
        Device d = device(a);
        // The reference index holds -Infinity (a scheduler's lambda_min_clipped), as Python's json writes it.
        JsonNode index = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build()
                .readTree(ref.resolve("expected/index.json").toFile());
        Path model = ref.resolve("tiny-sd");
        String only = a.getOrDefault("cases", "all");
        List<JsonNode> chosen = new ArrayList<>();
        index.get("cases").forEach(chosen::add);
        if (!only.equals("all")) {
            chosen = chosen.subList(0, Math.min(chosen.size(), Integer.parseInt(only)));
        }
        List<Map<String, Object>> cases = new ArrayList<>();
        boolean ok = true;
        Map<String, Map<String, float[]>> results = new LinkedHashMap<>();
        for (String variant : new String[] {"cpu-fp32", "device-fp32", "device-fp16"}) {
            Device dev = variant.startsWith("cpu") ? Device.cpu() : d;
            DataType t = variant.endsWith("fp16") ? DataType.FLOAT16 : DataType.FLOAT32;
            Map<String, float[]> finals = new LinkedHashMap<>();
            try (StableDiffusionPipeline pipe = ModelLoader.load(model,
                    LoadOptions.cpu().withDevice(dev, t))) {
                for (JsonNode c : chosen) {
                    finals.put(c.get("id").asText(), finalLatents(pipe, ref, c));
                }
            }
            results.put(variant, finals);
        }
        for (JsonNode c : chosen) {
            String id = c.get("id").asText();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("case", id);
            float[] expected;
            try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
                expected = Npy.read(ref.resolve("expected/cases/" + id + "/final_latents.npy"), m).toFloatArray();
            }
            double cpuVsDiffusers = relative(results.get("cpu-fp32").get(id), expected);
            double fp32VsDiffusers = relative(results.get("device-fp32").get(id), expected);
            double fp32VsCpu = relative(results.get("device-fp32").get(id), results.get("cpu-fp32").get(id));
            double fp16VsCpu = relative(results.get("device-fp16").get(id), results.get("cpu-fp32").get(id));
            row.put("cpu_fp32_vs_diffusers", cpuVsDiffusers);
            row.put("device_fp32_vs_diffusers", fp32VsDiffusers);
            row.put("device_fp32_vs_cpu_fp32", fp32VsCpu);
            row.put("device_fp16_vs_cpu_fp32", fp16VsCpu);
            boolean pass = fp32VsDiffusers <= FP32_TOLERANCE && fp32VsCpu <= FP32_TOLERANCE
                    && fp16VsCpu <= FP16_TOLERANCE;
            row.put("pass", pass);
            ok &= pass;
            cases.add(row);
        }
        r.put("device", d.toString());
        r.put("metric", "relative L2 error of final latents, ||a-b||/||b||");
        r.put("fp32_tolerance", FP32_TOLERANCE);
        r.put("fp16_tolerance", FP16_TOLERANCE);
        r.put("cases", cases);
        return ok;
    }

    /** A reference case's generation (the settings fields of expected/index.json) from its initial latents. */
    static float[] finalLatents(StableDiffusionPipeline pipe, Path ref, JsonNode c) {
        Path dir = ref.resolve("expected/cases").resolve(c.get("id").asText());
        List<String> prompts = texts(c.get("prompt"));
        int perPrompt = c.get("batch").asInt() / prompts.size();
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            GenerationSettings.Builder settings = GenerationSettings.builder()
                    .prompts(prompts).negativePrompts(texts(c.get("negative_prompt")))
                    .sampler(c.get("scheduler").asText()).steps(c.get("steps").asInt())
                    .guidanceScale(c.get("guidance_scale").asDouble()).eta(c.path("eta").asDouble(0))
                    .size(c.get("width").asInt(), c.get("height").asInt()).imagesPerPrompt(perPrompt)
                    .seed(c.get("seed").asLong()).initLatents(Latents.of(Npy.read(dir.resolve("latents_init.npy"), m)));
            // the cases' schedulers came from SD 1.5's original config (no timestep_spacing), tiny-sd's file says
            // "leading": pass the case's own spacing, as PipelineCasesTest does
            JsonNode spacing = c.path("scheduler_config").path("timestep_spacing");
            if (spacing.isTextual()) {
                settings.spacing(spacing.asText());
            }
            if (c.hasNonNull("clip_skip")) {
                settings.clipSkip(c.get("clip_skip").asInt());
            }
            return pipe.txt2img(settings.build()).finalLatents().data();
        }
    }

    /** A JSON string or array of strings (absent: none). */
    static List<String> texts(JsonNode n) {
        if (n == null || n.isNull()) {
            return List.of();
        }
        return n.isArray() ? StreamSupport.stream(n.spliterator(), false).map(JsonNode::asText).toList()
                : List.of(n.asText());
    }

    // ---- speed ----

    static boolean speed(Map<String, String> a, Map<String, Object> r) throws IOException {
        Device d = device(a);
        Path model = Path.of(required(a, "model"));
        int size = Integer.parseInt(a.getOrDefault("size", "512"));
        int steps = Integer.parseInt(a.getOrDefault("steps", "20"));
        int runs = Integer.parseInt(a.getOrDefault("runs", "3"));
        int unetIters = Integer.parseInt(a.getOrDefault("unet-iters", "20"));
        DataType t = "fp32".equals(a.get("dtype")) ? DataType.FLOAT32 : DataType.FLOAT16;
        Engine.getInstance();
        JniUtils.setGradMode(false); // the UNet-alone timing below calls forward outside the pipeline
        r.put("device", d.toString());
        r.put("dtype", name(t));
        r.put("size", size);
        r.put("steps", steps);
        long t0 = System.nanoTime();
        try (StableDiffusionPipeline pipe = ModelLoader.load(model, LoadOptions.cpu().withDevice(d, t))) {
            r.put("load_seconds", (System.nanoTime() - t0) / 1e9);
            r.put("unet_parameters", pipe.unet().parameterCount());
            GenerationSettings s = GenerationSettings.builder().prompt("a photograph of an astronaut riding a horse")
                    .negativePrompt("blurry").steps(steps).guidanceScale(7.5).sampler("euler").seed(1)
                    .size(size, size).build();
            // Warm-up: cuDNN picks its algorithms, the caching allocator fills.
            pipe.txt2img(s.toBuilder().steps(3).build());

            // Every live tensor on the model's device, looked at in the middle of a step.
            List<String> misplaced = new ArrayList<>();
            Map<String, Integer> byDevice = new LinkedHashMap<>();
            pipe.txt2img(s.toBuilder().steps(2).build(), step -> {
                if (step.done() == 1) {
                    misplaced.addAll(TensorPlacement.misplaced(pipe.device(), 20));
                    byDevice.putAll(TensorPlacement.countByDevice());
                }
            }, null);
            r.put("live_arrays_by_device_mid_step", byDevice);
            r.put("arrays_off_device", misplaced);

            List<Double> wall = new ArrayList<>();
            List<Double> loop = new ArrayList<>();
            for (int k = 0; k < runs; k++) {
                long[] first = {0};
                long[] last = {0};
                long g0 = System.nanoTime();
                GenerationResult res = pipe.txt2img(s.toBuilder().seed(1 + k).build(), step -> {
                    if (step.done() == 1) {
                        first[0] = System.nanoTime();
                    }
                    last[0] = System.nanoTime();
                }, null);
                res.images().get(0).getRGB(0, 0);
                wall.add((System.nanoTime() - g0) / 1e9);
                loop.add((steps - 1) / ((last[0] - first[0]) / 1e9));
                if (k == 0 && a.containsKey("image")) {
                    ImageIO.write(res.images().get(0), "png", Path.of(a.get("image")).toFile());
                }
            }
            r.put("generation_seconds", wall);
            r.put("generation_it_per_s", wall.stream().map(w -> steps / w).toList());
            r.put("loop_it_per_s_steps_2_to_n", loop);

            // The UNet alone: batch 2 (CFG), latents size/8, FLOPs counted from shapes.
            int lat = size / pipe.vaeScaleFactor();
            UNet2DConditionModel unet = pipe.unet();
            try (NDManager m = NDManager.newBaseManager(d)) {
                NDArray sample = m.randomNormal(new Shape(2, unet.config.inChannels(), lat, lat)).toType(t, false);
                NDArray ctx = m.randomNormal(new Shape(2, 77, unet.config.crossAttentionDim())).toType(t, false);
                for (int i = 0; i < 3; i++) {
                    try (NDManager step = m.newSubManager()) {
                        unet.forward(step, sample, 500, ctx).getFloat(0L, 0L, 0L, 0L);
                    }
                }
                FlopCounter.start();
                try (NDManager step = m.newSubManager()) {
                    unet.forward(step, sample, 500, ctx).getFloat(0L, 0L, 0L, 0L);
                }
                long flops = FlopCounter.stop();
                long u0 = System.nanoTime();
                NDManager keep = m.newSubManager();
                NDArray o = null;
                for (int i = 0; i < unetIters; i++) {
                    NDManager step = m.newSubManager();
                    o = unet.forward(step, sample, 500, ctx);
                    o.attach(keep);
                    step.close();
                }
                o.getFloat(0L, 0L, 0L, 0L);
                double sec = (System.nanoTime() - u0) / 1e9 / unetIters;
                keep.close();
                double tflops = flops / sec / 1e12;
                r.put("unet_gflop_per_forward_batch2", flops / 1e9);
                r.put("unet_ms_per_forward_batch2", sec * 1e3);
                r.put("unet_it_per_s", 1 / sec);
                r.put("unet_tflops", tflops);
                if (a.containsKey("matmul")) {
                    JsonNode mm = new ObjectMapper().readTree(Path.of(a.get("matmul")).toFile());
                    double roof = mm.get(t == DataType.FLOAT16 ? "fp16_tflops" : "fp32_tflops").asDouble();
                    r.put("matmul_tflops_same_run", roof);
                    r.put("unet_fraction_of_matmul", tflops / roof);
                }
            }
        }
        if (!misplacedOk(r)) {
            r.put("error", "tensors off the model's device mid-generation: " + r.get("arrays_off_device"));
            return false;
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    static boolean misplacedOk(Map<String, Object> r) {
        return ((List<String>) r.get("arrays_off_device")).isEmpty();
    }

    // ---- instance images ----

    /** Pictures of one "subject" (a yellow ring with a dot) on varied backgrounds, PNG, for DreamBooth. */
    static boolean instanceImages(Map<String, String> a, Path out, Map<String, Object> r) throws IOException {
        int size = Integer.parseInt(a.getOrDefault("size", "512"));
        int count = Integer.parseInt(a.getOrDefault("count", "4"));
        Files.createDirectories(out);
        Color[] backgrounds = {new Color(40, 60, 160), new Color(30, 120, 60), new Color(150, 40, 40),
            new Color(90, 90, 90)};
        for (int i = 0; i < count; i++) {
            BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(backgrounds[i % backgrounds.length]);
            g.fillRect(0, 0, size, size);
            int c = size / 2 + (i - count / 2) * size / 16;
            int rad = size / 4 + i * size / 64;
            g.setColor(new Color(240, 200, 40));
            g.setStroke(new BasicStroke(size / 20f));
            g.drawOval(c - rad, c - rad, 2 * rad, 2 * rad);
            g.fillOval(c - size / 20, c - size / 20, size / 10, size / 10);
            g.dispose();
            ImageIO.write(img, "png", out.resolve("subject-" + i + ".png").toFile());
        }
        r.put("images", count);
        return true;
    }

    // ---- helpers ----

    static double relative(float[] got, float[] want) {
        if (got.length != want.length) {
            throw new IllegalStateException("sizes differ: " + got.length + " vs " + want.length);
        }
        double num = 0;
        double den = 0;
        for (int i = 0; i < got.length; i++) {
            if (!Float.isFinite(got[i])) {
                return Double.POSITIVE_INFINITY;
            }
            double e = (double) got[i] - want[i];
            num += e * e;
            den += (double) want[i] * want[i];
        }
        return Math.sqrt(num / Math.max(den, 1e-30));
    }

    static String name(DataType t) {
        return t == DataType.FLOAT16 ? "fp16" : t == DataType.FLOAT32 ? "fp32" : t.toString();
    }

    static Map<String, String> options(String[] argv) {
        Map<String, String> a = new HashMap<>();
        for (int i = 1; i < argv.length; i++) {
            if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
                throw new IllegalArgumentException("expected --name value, got '" + argv[i] + "'");
            }
            a.put(argv[i].substring(2), argv[++i]);
        }
        return a;
    }

    static String required(Map<String, String> a, String k) {
        String v = a.get(k);
        if (v == null) {
            throw new IllegalArgumentException("--" + k + " is required");
        }
        return v;
    }
}
