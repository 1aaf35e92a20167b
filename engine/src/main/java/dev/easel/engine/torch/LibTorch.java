package dev.easel.engine.torch;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Path;

/**
 * The libtorch calls DJL's NDArray API does not offer, in one place: the only class that reaches DJL's
 * {@code JniUtils}. Seeding is package-private: it belongs to {@link Randomness}, which serialises it.
 */
public final class LibTorch {

    static {
        // JniUtils' natives load with DJL's PyTorch engine, not with JniUtils: a first call that comes before any
        // NDManager (a seed drawn first thing in a JVM) would otherwise fail with UnsatisfiedLinkError.
        Engine.getEngine("PyTorch");
    }

    private LibTorch() {}

    /** Whether this thread records autograd graphs ({@code torch.is_grad_enabled()}; thread-local). */
    public static boolean gradMode() {
        return JniUtils.isGradMode();
    }

    /** {@code torch.set_grad_enabled(on)} for this thread. */
    public static void setGradMode(boolean on) {
        JniUtils.setGradMode(on);
    }

    /** {@code out.backward(gradient)}: accumulates into the leaves' {@code .grad}. */
    public static void backward(NDArray out, NDArray gradient, boolean keepGraph, boolean createGraph) {
        JniUtils.backward((PtNDArray) out, (PtNDArray) gradient, keepGraph, createGraph);
    }

    /**
     * {@code tensor.grad} in {@code manager}, or null when no backward pass has reached it yet (DJL's
     * {@code getGradient} would make zeros instead, on the tensor's own manager).
     */
    public static NDArray gradient(NDArray tensor, NDManager manager) {
        NDArray g = JniUtils.getGradient((PtNDArray) tensor);
        if (g != null) {
            g.attach(manager);
        }
        return g;
    }

    /** {@code param.grad.zero_()}. */
    public static void zeroGrad(NDArray parameter) {
        JniUtils.zeroGrad((PtNDArray) parameter);
    }

    /** {@code torch.full(shape, value)} in {@code manager}, without the sub-manager {@code NDManager.full} leaves. */
    public static NDArray full(NDManager manager, Shape shape, double value, DataType type, Device device) {
        return JniUtils.full((PtNDManager) manager, shape, value, type, device, SparseFormat.DENSE);
    }

    /** {@code torch.jit.load(file)} into {@code manager}. */
    public static PtSymbolBlock loadModule(NDManager manager, Path file) {
        return JniUtils.loadModule((PtNDManager) manager, file, false, new String[0], new String[0], false);
    }

    /** libtorch's intra-op thread count. */
    public static int threads() {
        return JniUtils.getNumThreads();
    }

    /**
     * Sets libtorch's intra-op thread count ({@code torch.set_num_threads}); with libtorch's OpenMP build the count is
     * the calling thread's own (OpenMP keeps it per thread), MKL's is the process's.
     */
    public static void setThreads(int threads) {
        JniUtils.setNumThreads(threads);
    }

    /** libtorch's inter-op thread count. */
    public static int interopThreads() {
        return JniUtils.getNumInteropThreads();
    }

    /** {@code torch.manual_seed(seed)}: the global CPU generator (which keeps the low 32 bits of a long seed). */
    static void manualSeed(long seed) {
        JniUtils.setSeed(seed);
    }
}
