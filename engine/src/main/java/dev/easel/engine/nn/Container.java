package dev.easel.engine.nn;

/** A module that only groups named children (e.g. CLIP's {@code encoder}, the VAE's {@code mid_block}). */
public class Container extends Module {

    public <M extends Module> M add(String name, M child) {
        return register(name, child);
    }
}
