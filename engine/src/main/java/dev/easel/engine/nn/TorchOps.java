package dev.easel.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import dev.easel.engine.io.StoredZip;
import dev.easel.engine.torch.LibTorch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipOutputStream;

/**
 * ATen operators that DJL has no binding for (fused scaled-dot-product attention, group norm), reached through a
 * tiny TorchScript module whose source this class writes itself and loads once. Autograd flows through it.
 *
 * <p>If the module cannot be loaded, or {@code -Deasel.attention=plain} / {@code -Deasel.groupnorm=layernorm} is
 * set, the plain DJL formulations are used instead (matmul-softmax-matmul; reshape + layer norm + affine).
 */
public final class TorchOps {

    private static final String SOURCE = String.join(
            "\n",
            "class Ops(Module):",
            "  __parameters__ = []",
            "  __buffers__ = []",
            "  training : bool",
            "  def forward(self: __torch__.Ops,",
            "    x: Tensor) -> Tensor:",
            "    return x",
            "  def sdpa(self: __torch__.Ops,",
            "    q: Tensor, k: Tensor, v: Tensor) -> Tensor:",
            "    return torch.scaled_dot_product_attention(q, k, v)",
            "  def sdpa_causal(self: __torch__.Ops,",
            "    q: Tensor, k: Tensor, v: Tensor) -> Tensor:",
            "    return torch.scaled_dot_product_attention(q, k, v, None, 0., True)",
            "  def to_float16(self: __torch__.Ops,",
            "    x: Tensor) -> Tensor:",
            "    return torch.to(x, 5, False, False, None)",
            "  def to_float32(self: __torch__.Ops,",
            "    x: Tensor) -> Tensor:",
            "    return torch.to(x, 6, False, False, None)",
            "  def silu_(self: __torch__.Ops,",
            "    x: Tensor) -> Tensor:",
            "    return torch.silu_(x)",
            "  def channels_last(self: __torch__.Ops,",
            "    x: Tensor) -> Tensor:",
            "    return torch.contiguous(x, memory_format=2)",
            "  def group_norm(self: __torch__.Ops,",
            "    x: Tensor, w: Tensor, b: Tensor, groups: Tensor, eps: Tensor) -> Tensor:",
            "    return torch.group_norm(x, int(groups), w, b, float(eps))",
            "  def requires_grad(self: __torch__.Ops,",
            "    x: Tensor) -> Tensor:",
            "    return torch.tensor(x.requires_grad)",
            "");

    private static volatile PtSymbolBlock module;
    private static volatile boolean failed;
    private static NDManager moduleManager;

    private TorchOps() {}

    /** Whether fused SDPA is used (module loaded and not disabled by {@code -Deasel.attention=plain}). */
    public static boolean fusedAttention() {
        return !"plain".equals(System.getProperty("easel.attention")) && module() != null;
    }

    /** Whether group norm runs as {@code torch.group_norm} (else the reshape + layer-norm formulation). */
    public static boolean fusedGroupNorm() {
        return !"layernorm".equals(System.getProperty("easel.groupnorm")) && module() != null;
    }

    private static PtSymbolBlock module() {
        if (module != null || failed) {
            return module;
        }
        synchronized (TorchOps.class) {
            if (module == null && !failed) {
                try {
                    Path dir = Files.createTempDirectory("easel-ops");
                    Path zip = dir.resolve("ops.pt");
                    Files.write(zip, moduleZip());
                    moduleManager = NDManager.newBaseManager();
                    module = LibTorch.loadModule(moduleManager, zip);
                    Files.deleteIfExists(zip);
                    Files.deleteIfExists(dir);
                } catch (IOException | RuntimeException | Error e) {
                    failed = true;
                    System.getLogger(TorchOps.class.getName())
                            .log(
                                    System.Logger.Level.WARNING,
                                    "fused attention unavailable, using plain attention (" + e.getMessage() + ")");
                }
            }
        }
        return module;
    }

    /** A TorchScript archive holding {@link #SOURCE}: stored (uncompressed) zip entries. */
    static byte[] moduleZip() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            // data.pkl: pickle protocol 2 of __torch__.Ops() with state {'training': False}
            ByteArrayOutputStream pkl = new ByteArrayOutputStream();
            pkl.write(new byte[] {(byte) 0x80, 2});
            pkl.writeBytes("c__torch__\nOps\nq\u0000)\u0081}(X".getBytes(StandardCharsets.ISO_8859_1));
            pkl.write(new byte[] {8, 0, 0, 0});
            pkl.writeBytes("trainingq\u0001\u0089ubq\u0002.".getBytes(StandardCharsets.ISO_8859_1));
            StoredZip.put(zip, "ops/data.pkl", pkl.toByteArray());
            StoredZip.put(zip, "ops/code/__torch__.py", SOURCE.getBytes(StandardCharsets.UTF_8));
            StoredZip.put(zip, "ops/constants.pkl", new byte[] {(byte) 0x80, 2, ')', 'q', 0, '.'});
            StoredZip.put(zip, "ops/version", "10\n".getBytes(StandardCharsets.US_ASCII));
        }
        return bytes.toByteArray();
    }

    private static NDArray call(NDManager scope, String method, NDArray... inputs) {
        NDList in = new NDList(inputs);
        NDArray marker = scope.create(0f);
        marker.setName("module_method:" + method);
        in.add(marker);
        NDList out = IValueUtils.forward(module(), in, LibTorch.gradMode());
        marker.close();
        NDArray y = out.singletonOrThrow();
        y.attach(scope);
        return y;
    }

    /**
     * {@code x} as float16 or float32, differentiably: DJL's {@code toType} cuts the autograd graph, so casts inside a
     * training forward pass (mixed precision, upcast attention, a float32 loss of a float16 prediction) go through
     * {@code aten::to} here when gradients are being recorded.
     */
    public static NDArray cast(NDManager scope, NDArray x, DataType type) {
        if (x.getDataType() == type) {
            return x;
        }
        if (LibTorch.gradMode() && (type == DataType.FLOAT16 || type == DataType.FLOAT32)) {
            if (module() == null) {
                throw new IllegalStateException("a differentiable cast to " + type + " needs easel's TorchScript ops,"
                        + " which could not be loaded");
            }
            return call(scope, type == DataType.FLOAT16 ? "to_float16" : "to_float32", x);
        }
        NDArray y = x.toType(type, false);
        y.attach(scope);
        return y;
    }

    /**
     * softmax(q·kᵀ/√d [+ causal mask])·v for q,k,v of shape [B, heads, L, d]. Upcasts the plain path's scores to
     * float32 when {@code upcast} is set (diffusers' {@code upcast_attention}).
     */
    public static NDArray attention(NDManager scope, NDArray q, NDArray k, NDArray v, boolean causal, boolean upcast) {
        if (FlopCounter.on()) {
            // q·kᵀ and p·v: 2 · (B·H·L·S·d) MACs
            FlopCounter.add(4L * q.getShape().size() * k.getShape().get(2));
        }
        if (fusedAttention()) {
            return call(scope, causal ? "sdpa_causal" : "sdpa", q, k, v);
        }
        long d = q.getShape().get(q.getShape().dimension() - 1);
        float scale = (float) (1.0 / Math.sqrt(d));
        DataType type = q.getDataType();
        NDArray qq = upcast ? cast(scope, q, DataType.FLOAT32) : q;
        NDArray kk = upcast ? cast(scope, k, DataType.FLOAT32) : k;
        NDArray qs = ScalarOps.mul(qq, scale);
        NDArray kt = kk.transpose(0, 1, 3, 2);
        NDArray scores = qs.matMul(kt);
        qs.close();
        kt.close();
        if (causal) {
            long lq = q.getShape().get(2);
            long lk = k.getShape().get(2);
            float[] m = new float[(int) (lq * lk)];
            for (int i = 0; i < lq; i++) {
                for (int j = i + 1; j < lk; j++) {
                    m[(int) (i * lk + j)] = -Float.MAX_VALUE;
                }
            }
            NDArray mask = scope.create(m, new Shape(lq, lk)).toType(scores.getDataType(), false);
            NDArray masked = scores.add(mask);
            scores.close();
            mask.close();
            scores = masked;
        }
        NDArray softmax = scores.softmax(-1);
        scores.close();
        NDArray probs = cast(scope, softmax, type);
        if (probs != softmax) {
            softmax.close();
        }
        NDArray out = probs.matMul(v);
        probs.close();
        out.attach(scope);
        return out;
    }

    /** x·sigmoid(x) written over {@code x} ({@code torch.silu_}); only for temporaries no autograd graph holds. */
    public static NDArray siluInPlace(NDManager scope, NDArray x) {
        if (module() == null) {
            NDArray s = x.getNDArrayInternal().sigmoid();
            x.muli(s);
            s.close();
            return x;
        }
        call(scope, "silu_", x).close();
        return x;
    }

    /**
     * {@code x} (NCHW) in channels-last memory order ({@code x.contiguous(memory_format=torch.channels_last)}): a new
     * handle, on the same storage when it already is; {@code x} itself if the module could not be loaded.
     */
    public static NDArray channelsLast(NDManager scope, NDArray x) {
        if (module() == null) {
            return x;
        }
        return call(scope, "channels_last", x);
    }

    /**
     * {@code x.requires_grad}: whether a backward pass can reach {@code x} (a leaf that requires a gradient, or the
     * result of a recorded graph). DJL's {@code hasGradient} says true only for leaves, and reading the grad_fn of a
     * tensor that has none aborts the JVM, so the question goes through the TorchScript module.
     */
    public static boolean requiresGrad(NDArray x) {
        if (module() == null) {
            throw new IllegalStateException(
                    "gradient checkpointing needs easel's TorchScript ops, which could not be" + " loaded");
        }
        try (NDManager scope = x.getManager().newSubManager()) {
            return call(scope, "requires_grad", x).getBoolean();
        }
    }

    /** {@code torch.group_norm} on NCHW input (or reshape + layer norm + per-channel affine as fallback). */
    public static NDArray groupNorm(NDManager scope, NDArray x, int groups, NDArray weight, NDArray bias, float eps) {
        if (fusedGroupNorm()) {
            NDArray g = scope.create((long) groups);
            NDArray e = scope.create((double) eps);
            NDArray y = call(scope, "group_norm", x, weight, bias, g, e);
            g.close();
            e.close();
            return y;
        }
        Shape s = x.getShape();
        long n = s.get(0);
        long c = s.get(1);
        long rest = s.size() / (n * groups);
        // Normalised by hand, not through DJL's layerNorm: on some CPUs libtorch's layer-norm backward over a
        // reshaped group gave gradients off by more than their size (IoAndParametersTest caught it), and this path
        // exists to be the plain reference for the fused one.
        NDArray r = x.reshape(n, groups, rest);
        NDArray mean = r.mean(new int[] {2}, true);
        NDArray centered = r.sub(mean);
        NDArray variance = centered.square().mean(new int[] {2}, true);
        NDArray ln = centered.div(ScalarOps.add(variance, eps).sqrt());
        mean.close();
        variance.close();
        centered.close();
        r.close();
        long[] bshape = new long[s.dimension()];
        Arrays.fill(bshape, 1);
        bshape[1] = c;
        NDArray back = ln.reshape(s);
        ln.close();
        NDArray w = weight.reshape(bshape);
        NDArray b = bias.reshape(bshape);
        NDArray scaled = back.mul(w);
        back.close();
        NDArray y = scaled.add(b);
        scaled.close();
        w.close();
        b.close();
        y.attach(scope);
        return y;
    }
}
