package dev.easel.magics;

/**
 * A magic that needs the registry it is in — {@code %lsmagic} lists it, {@code %%time} runs other magics of its body.
 * {@link Magics#register} hands the registry over.
 */
public interface RegistryAware {

    void setRegistry(Magics magics);
}
