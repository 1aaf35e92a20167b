package dev.easel.engine.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.models.AutoencoderKL;
import dev.easel.engine.models.ClipTextModel;
import dev.easel.engine.models.UNet2DConditionModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The key names of original (LDM / CompVis) single-file checkpoints for each diffusers parameter name, so a
 * single-file {@code .safetensors} loads by the same walk as a diffusers folder, and a model can be exported under
 * LDM names. Prefixes: {@code model.diffusion_model.}, {@code first_stage_model.},
 * {@code cond_stage_model.transformer.}.
 */
public final class LdmKeys {

    public static final String UNET = "model.diffusion_model.";
    public static final String VAE = "first_stage_model.";
    public static final String TEXT = "cond_stage_model.transformer.";

    private LdmKeys() {}

    /**
     * Writes the three models as one original-layout checkpoint (LDM key names; the VAE's attention projections
     * as 1×1 convolutions, as the original code stores them).
     */
    public static void export(ClipTextModel text, UNet2DConditionModel unet, AutoencoderKL vae, Path file) {
        export(text, unet, vae, file, false);
    }

    /**
     * As {@link #export(ClipTextModel, UNet2DConditionModel, AutoencoderKL, Path)}; with {@code openClip} the text
     * encoder is written in OpenCLIP's layout as SD 2.x files have it ({@link OpenClipKeys#layout}): query, key and
     * value stacked, one resblock more than the model uses (a copy of the last; SD 2.x reads the penultimate), a zero
     * {@code text_projection} and CLIP's {@code logit_scale} of ln 100.
     */
    public static void export(
            ClipTextModel text, UNet2DConditionModel unet, AutoencoderKL vae, Path file, boolean openClip) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        List<NDArray> temp = new ArrayList<>();
        try {
            unet.parameters().forEach((k, v) -> out.put(unet(k, unet.config), v));
            vae.parameters().forEach((k, v) -> {
                String key = vae(k, vae.config);
                boolean proj = key.contains("mid.attn_1.") && key.endsWith(".weight") && !key.contains(".norm.");
                if (proj) {
                    NDArray r = v.reshape(v.getShape().get(0), v.getShape().get(1), 1, 1);
                    temp.add(r);
                    out.put(key, r);
                } else {
                    out.put(key, v);
                }
            });
            if (openClip) {
                Map<String, NDArray> params = text.parameters();
                NDManager manager = params.values().iterator().next().getManager();
                for (OpenClipKeys.Packed p : OpenClipKeys.layout(text.config)) {
                    NDArray v;
                    if (p.parts().size() == 1) {
                        v = params.get(p.parts().get(0));
                    } else {
                        v = p.parts().isEmpty()
                                ? (p.shape().length == 0
                                        ? manager.create((float) Math.log(100))
                                        : manager.zeros(new Shape(p.shape())))
                                : NDArrays.concat(
                                        new NDList(p.parts().stream()
                                                .map(params::get)
                                                .toList()),
                                        0);
                        temp.add(v);
                    }
                    out.put(p.key(), v);
                }
            } else {
                text.parameters().forEach((k, v) -> out.put(text(k), v));
            }
            SafeTensors.write(out, Map.of("format", "pt"), file);
        } finally {
            temp.forEach(NDArray::close);
        }
    }

    /** CLIP text encoder: the HF names under {@code cond_stage_model.transformer.}. */
    public static String text(String name) {
        return TEXT + name;
    }

    private static String resnet(String rest) {
        return rest.replace("norm1.", "in_layers.0.")
                .replace("conv1.", "in_layers.2.")
                .replace("time_emb_proj.", "emb_layers.1.")
                .replace("norm2.", "out_layers.0.")
                .replace("conv2.", "out_layers.3.")
                .replace("conv_shortcut.", "skip_connection.");
    }

    /** UNet parameter name (diffusers) → LDM key. */
    public static String unet(String name, UNet2DConditionModel.Config c) {
        String[] p = name.split("\\.");
        int layers = c.layersPerBlock();
        String out;
        if (name.startsWith("time_embedding.linear_1.")) {
            out = "time_embed.0." + p[2];
        } else if (name.startsWith("time_embedding.linear_2.")) {
            out = "time_embed.2." + p[2];
        } else if (name.startsWith("conv_in.")) {
            out = "input_blocks.0.0." + p[1];
        } else if (name.startsWith("conv_norm_out.")) {
            out = "out.0." + p[1];
        } else if (name.startsWith("conv_out.")) {
            out = "out.2." + p[1];
        } else if (name.startsWith("down_blocks.")) {
            int i = Integer.parseInt(p[1]);
            String kind = p[2];
            String rest = name.substring(("down_blocks." + i + "." + kind + "." + p[3] + ".").length());
            int j = Integer.parseInt(p[3]);
            if (kind.equals("resnets")) {
                out = "input_blocks." + (1 + i * (layers + 1) + j) + ".0." + resnet(rest);
            } else if (kind.equals("attentions")) {
                out = "input_blocks." + (1 + i * (layers + 1) + j) + ".1." + rest;
            } else {
                out = "input_blocks." + (1 + i * (layers + 1) + layers) + ".0.op." + rest.replace("conv.", "");
            }
        } else if (name.startsWith("mid_block.")) {
            String kind = p[1];
            int j = Integer.parseInt(p[2]);
            String rest = name.substring(("mid_block." + kind + "." + j + ".").length());
            if (kind.equals("resnets")) {
                out = "middle_block." + (j == 0 ? 0 : 2) + "." + resnet(rest);
            } else {
                out = "middle_block.1." + rest;
            }
        } else if (name.startsWith("up_blocks.")) {
            int i = Integer.parseInt(p[1]);
            String kind = p[2];
            int j = Integer.parseInt(p[3]);
            String rest = name.substring(("up_blocks." + i + "." + kind + "." + j + ".").length());
            boolean attn = c.upBlockTypes()[i].hasCrossAttention();
            if (kind.equals("resnets")) {
                out = "output_blocks." + (i * (layers + 1) + j) + ".0." + resnet(rest);
            } else if (kind.equals("attentions")) {
                out = "output_blocks." + (i * (layers + 1) + j) + ".1." + rest;
            } else {
                out = "output_blocks." + (i * (layers + 1) + layers) + "." + (attn ? 2 : 1) + "." + rest;
            }
        } else {
            throw new IllegalArgumentException("no LDM name for unet parameter " + name);
        }
        return UNET + out;
    }

    /** VAE parameter name (diffusers) → LDM key. */
    public static String vae(String name, AutoencoderKL.Config c) {
        int n = c.blockOutChannels().length;
        String s = name;
        s = s.replace(".conv_shortcut.", ".nin_shortcut.");
        s = s.replace("conv_norm_out.", "norm_out.");
        s = s.replace("mid_block.resnets.0.", "mid.block_1.").replace("mid_block.resnets.1.", "mid.block_2.");
        s = s.replace("mid_block.attentions.0.", "mid.attn_1.");
        s = s.replace("attn_1.group_norm.", "attn_1.norm.")
                .replace("attn_1.to_q.", "attn_1.q.")
                .replace("attn_1.to_k.", "attn_1.k.")
                .replace("attn_1.to_v.", "attn_1.v.")
                .replace("attn_1.to_out.0.", "attn_1.proj_out.");
        if (s.startsWith("encoder.down_blocks.")) {
            String[] p = s.split("\\.");
            String rest = s.substring(("encoder.down_blocks." + p[2] + ".").length());
            rest = rest.replace("resnets.", "block.").replace("downsamplers.0.", "downsample.");
            s = "encoder.down." + p[2] + "." + rest;
        } else if (s.startsWith("decoder.up_blocks.")) {
            String[] p = s.split("\\.");
            int i = Integer.parseInt(p[2]);
            String rest = s.substring(("decoder.up_blocks." + p[2] + ".").length());
            rest = rest.replace("resnets.", "block.").replace("upsamplers.0.", "upsample.");
            s = "decoder.up." + (n - 1 - i) + "." + rest;
        }
        return VAE + s;
    }
}
