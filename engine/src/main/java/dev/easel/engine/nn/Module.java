package dev.easel.engine.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.EngineException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A named tree of parameters, like {@code torch.nn.Module}: each module keeps its own parameters and children in
 * registration order, and {@link #parameters()} walks the tree giving diffusers' dotted names
 * ({@code down_blocks.0.resnets.0.conv1.weight}). Layers read their parameters by name at every forward, so
 * {@link #setParameter} (weight loading, LoRA, training updates) takes effect immediately.
 */
public abstract class Module {

    private final LinkedHashMap<String, NDArray> params = new LinkedHashMap<>();
    private final LinkedHashMap<String, Module> children = new LinkedHashMap<>();
    private boolean training;

    /** Declares a parameter of the given shape, created by the init policy (random or zeros). */
    protected NDArray declare(Init init, String name, Shape shape, Init.Kind kind, long fanIn) {
        NDArray a = init.create(shape, kind, fanIn);
        params.put(name, a);
        return a;
    }

    /** Registers a child module under a name (may be dotted-free names like {@code 0}). */
    protected <M extends Module> M register(String name, M child) {
        children.put(name, child);
        return child;
    }

    /** This module's own parameter by its short name. */
    protected NDArray p(String name) {
        return params.get(name);
    }

    /** A child by short name. */
    public Module child(String name) {
        return children.get(name);
    }

    public Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** All parameters below this module, in registration order, with dotted diffusers names. */
    public Map<String, NDArray> parameters() {
        LinkedHashMap<String, NDArray> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, NDArray> out) {
        params.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, v) -> v.collect(prefix + k + ".", out));
    }

    /**
     * Replaces the parameter at a dotted name. The new array must have the declared shape; the old array is
     * closed unless it is the same object. The module takes the array as is (its manager stays the caller's).
     */
    public void setParameter(String dottedName, NDArray value) {
        Module m = this;
        String rest = dottedName;
        while (true) {
            if (m.params.containsKey(rest)) {
                NDArray old = m.params.get(rest);
                if (!old.getShape().equals(value.getShape())) {
                    throw new EngineException("parameter " + dottedName + ": wrong shape " + value.getShape()
                            + ", expected " + old.getShape());
                }
                m.params.put(rest, value);
                if (old != value && !old.isReleased()) {
                    old.close();
                }
                return;
            }
            int dot = findChild(m, rest);
            if (dot < 0) {
                throw new EngineException("no parameter named " + dottedName);
            }
            m = m.children.get(rest.substring(0, dot));
            rest = rest.substring(dot + 1);
        }
    }

    private static int findChild(Module m, String rest) {
        int dot = rest.indexOf('.');
        while (dot > 0) {
            if (m.children.containsKey(rest.substring(0, dot))) {
                return dot;
            }
            dot = rest.indexOf('.', dot + 1);
        }
        return -1;
    }

    /** Moves/casts every floating-point parameter (e.g. to float16 on a GPU), replacing them in place. */
    public void to(NDManager manager, Device device, DataType floatType) {
        for (Map.Entry<String, NDArray> e : parameters().entrySet()) {
            NDArray a = e.getValue();
            NDArray b = a;
            if (!a.getDevice().equals(device)) {
                b = a.toDevice(device, true);
            }
            if (b.getDataType().isFloating() && b.getDataType() != floatType) {
                NDArray c = b.toType(floatType, true);
                if (b != a) {
                    b.close();
                }
                b = c;
            }
            if (b != a) {
                b.attach(manager);
                setParameter(e.getKey(), b);
            }
        }
    }

    /** Marks every parameter as requiring (or not) gradients. */
    public void setRequiresGradient(boolean requires) {
        parameters().values().forEach(a -> a.setRequiresGradient(requires));
    }

    public boolean isTraining() {
        return training;
    }

    /** Switches train mode for this module and its children (dropout is 0 in SD configs). */
    public void train(boolean on) {
        training = on;
        children.values().forEach(c -> c.train(on));
    }

    /** Total number of parameter elements. */
    public long parameterCount() {
        return parameters().values().stream()
                .mapToLong(a -> a.getShape().size())
                .sum();
    }
}
