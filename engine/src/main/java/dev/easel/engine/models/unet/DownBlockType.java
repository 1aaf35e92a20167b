package dev.easel.engine.models.unet;

import dev.easel.engine.EngineException;

/** The down block types of {@code down_block_types}, each with the class that builds it. */
public enum DownBlockType {
    DOWN_BLOCK_2D("DownBlock2D", DownBlock2D::new),
    CROSS_ATTN_DOWN_BLOCK_2D("CrossAttnDownBlock2D", CrossAttnDownBlock2D::new);

    private final String configName;
    private final DownBlock.Factory factory;

    DownBlockType(String configName, DownBlock.Factory factory) {
        this.configName = configName;
        this.factory = factory;
    }

    /** The name in {@code unet/config.json}. */
    public String configName() {
        return configName;
    }

    public boolean hasCrossAttention() {
        return this == CROSS_ATTN_DOWN_BLOCK_2D;
    }

    public DownBlock.Factory factory() {
        return factory;
    }

    /** The type a config names; one line naming it when this implementation has no such block. */
    public static DownBlockType fromConfig(String name) {
        for (DownBlockType t : values()) {
            if (t.configName.equals(name)) {
                return t;
            }
        }
        throw new EngineException("unet config: unsupported down block type " + name);
    }
}
