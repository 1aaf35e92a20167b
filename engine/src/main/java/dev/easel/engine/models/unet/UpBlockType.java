package dev.easel.engine.models.unet;

import dev.easel.engine.EngineException;

/** The up block types of {@code up_block_types}, each with the class that builds it. */
public enum UpBlockType {
    UP_BLOCK_2D("UpBlock2D", UpBlock2D::new),
    CROSS_ATTN_UP_BLOCK_2D("CrossAttnUpBlock2D", CrossAttnUpBlock2D::new);

    private final String configName;
    private final UpBlock.Factory factory;

    UpBlockType(String configName, UpBlock.Factory factory) {
        this.configName = configName;
        this.factory = factory;
    }

    /** The name in {@code unet/config.json}. */
    public String configName() {
        return configName;
    }

    public boolean hasCrossAttention() {
        return this == CROSS_ATTN_UP_BLOCK_2D;
    }

    public UpBlock.Factory factory() {
        return factory;
    }

    /** The type a config names; one line naming it when this implementation has no such block. */
    public static UpBlockType fromConfig(String name) {
        for (UpBlockType t : values()) {
            if (t.configName.equals(name)) {
                return t;
            }
        }
        throw new EngineException("unet config: unsupported up block type " + name);
    }
}
