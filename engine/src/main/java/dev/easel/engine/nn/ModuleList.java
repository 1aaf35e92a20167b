package dev.easel.engine.nn;

import java.util.ArrayList;
import java.util.List;

/** An indexed list of modules named {@code 0}, {@code 1}, … like {@code torch.nn.ModuleList}. */
public final class ModuleList<M extends Module> extends Module {

    private final List<M> items = new ArrayList<>();

    public M add(M m) {
        register(Integer.toString(items.size()), m);
        items.add(m);
        return m;
    }

    public M get(int i) {
        return items.get(i);
    }

    public int size() {
        return items.size();
    }

    public List<M> items() {
        return items;
    }
}
