package dev.easel.engine.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.easel.engine.EngineException;
import dev.easel.engine.nn.Activations;
import dev.easel.engine.nn.Container;
import dev.easel.engine.nn.Embedding;
import dev.easel.engine.nn.Init;
import dev.easel.engine.nn.LayerNorm;
import dev.easel.engine.nn.LayerScope;
import dev.easel.engine.nn.Linear;
import dev.easel.engine.nn.Module;
import dev.easel.engine.nn.ModuleList;
import dev.easel.engine.nn.TorchOps;
import java.util.ArrayList;
import java.util.List;

/**
 * transformers' {@code CLIPTextModel}: token + position embeddings, pre-norm transformer layers with causal
 * self-attention and a quick_gelu/gelu MLP, final layer norm. Parameter names equal the checkpoint keys
 * ({@code text_model.encoder.layers.0.self_attn.q_proj.weight}).
 */
public final class ClipTextModel extends Module {

    /** The fields of {@code text_encoder/config.json} the model uses. */
    public record Config(
            int vocabSize,
            int hiddenSize,
            int intermediateSize,
            int numHiddenLayers,
            int numAttentionHeads,
            int maxPositionEmbeddings,
            String hiddenAct,
            double layerNormEps,
            int eosTokenId) {

        public static Config fromJson(JsonNode n) {
            int hidden = Configs.positive(n, "hidden_size", 768);
            int heads = Configs.positive(n, "num_attention_heads", 12);
            if (hidden % heads != 0) {
                throw new EngineException("num_attention_heads " + heads + " does not divide hidden_size " + hidden
                        + "; expected a head count that divides the hidden size");
            }
            return new Config(
                    Configs.positive(n, "vocab_size", 49408),
                    hidden,
                    Configs.positive(n, "intermediate_size", 3072),
                    Configs.positive(n, "num_hidden_layers", 12),
                    heads,
                    Configs.positive(n, "max_position_embeddings", 77),
                    Configs.choice(n, "hidden_act", "quick_gelu", "quick_gelu", "gelu"),
                    Configs.positiveNumber(n, "layer_norm_eps", 1e-5),
                    Configs.integer(n, "eos_token_id", 2));
        }
    }

    /** Output of a forward: last hidden state (after the final norm), pooled eos vector, every hidden state. */
    public record Output(NDArray lastHiddenState, NDArray pooled, List<NDArray> hiddenStates) {}

    public final Config config;
    private final TextTransformer textModel;

    public ClipTextModel(Init init, Config config) {
        this.config = config;
        this.textModel = register("text_model", new TextTransformer(init, config));
    }

    /**
     * Encodes int64 token ids [B, L]. Intermediates and outputs live in {@code scope}.
     */
    public Output forward(NDManager scope, NDArray inputIds) {
        return textModel.forward(scope, inputIds);
    }

    /** The token embedding table, which textual inversion extends with new tokens' vectors. */
    public Embedding tokenEmbedding() {
        return textModel.embeddings.tokenEmbedding;
    }

    /** Applies the final layer norm to a hidden state (for clip skip). */
    public NDArray finalLayerNorm(NDManager scope, NDArray hidden) {
        return textModel.finalLayerNorm.forward(scope, hidden);
    }

    static final class TextTransformer extends Module {
        final Embeddings embeddings;
        final ModuleList<EncoderLayer> layers;
        final LayerNorm finalLayerNorm;
        final Config config;

        TextTransformer(Init init, Config c) {
            this.config = c;
            embeddings = register("embeddings", new Embeddings(init, c));
            Container encoder = register("encoder", new Container());
            layers = encoder.add("layers", new ModuleList<>());
            for (int i = 0; i < c.numHiddenLayers(); i++) {
                layers.add(new EncoderLayer(init, c));
            }
            finalLayerNorm =
                    register("final_layer_norm", new LayerNorm(init, c.hiddenSize(), (float) c.layerNormEps()));
        }

        Output forward(NDManager scope, NDArray ids) {
            NDArray h = embeddings.forward(scope, ids);
            List<NDArray> hidden = new ArrayList<>();
            hidden.add(h);
            for (EncoderLayer layer : layers.items()) {
                h = layer.forward(scope, h);
                hidden.add(h);
            }
            NDArray last = finalLayerNorm.forward(scope, h);
            // pooled: the hidden state at the first eos token (the highest id for legacy configs with eos id 2)
            long[] idv = ids.toLongArray();
            long b = ids.getShape().get(0);
            long l = ids.getShape().get(1);
            NDList rows = new NDList();
            for (int i = 0; i < b; i++) {
                int pos = 0;
                long best = Long.MIN_VALUE;
                for (int j = 0; j < l; j++) {
                    long v = idv[(int) (i * l + j)];
                    if (config.eosTokenId() == 2) {
                        if (v > best) {
                            best = v;
                            pos = j;
                        }
                    } else if (v == config.eosTokenId()) {
                        pos = j;
                        break;
                    }
                }
                rows.add(last.get(new NDIndex("{}, {}", i, pos)).expandDims(0));
            }
            NDArray pooled = rows.size() == 1 ? rows.get(0) : NDArrays.concat(rows, 0);
            pooled.attach(scope);
            return new Output(last, pooled, hidden);
        }
    }

    static final class Embeddings extends Module {
        final Embedding tokenEmbedding;
        final Embedding positionEmbedding;

        Embeddings(Init init, Config c) {
            tokenEmbedding = register("token_embedding", new Embedding(init, c.vocabSize(), c.hiddenSize()));
            positionEmbedding =
                    register("position_embedding", new Embedding(init, c.maxPositionEmbeddings(), c.hiddenSize()));
        }

        NDArray forward(NDManager scope, NDArray ids) {
            long l = ids.getShape().get(1);
            NDArray tok = tokenEmbedding.forward(scope, ids);
            NDArray posIds = scope.arange(0, (int) l, 1, DataType.INT64).expandDims(0);
            NDArray pos = positionEmbedding.forward(scope, posIds);
            return tok.add(pos);
        }
    }

    static final class EncoderLayer extends Module {
        final Attention selfAttn;
        final LayerNorm layerNorm1;
        final Mlp mlp;
        final LayerNorm layerNorm2;

        EncoderLayer(Init init, Config c) {
            selfAttn = register("self_attn", new Attention(init, c));
            layerNorm1 = register("layer_norm1", new LayerNorm(init, c.hiddenSize(), (float) c.layerNormEps()));
            mlp = register("mlp", new Mlp(init, c));
            layerNorm2 = register("layer_norm2", new LayerNorm(init, c.hiddenSize(), (float) c.layerNormEps()));
        }

        NDArray forward(NDManager scope, NDArray x) {
            return LayerScope.run(scope, layer -> forwardIn(layer, x));
        }

        private NDArray forwardIn(NDManager scope, NDArray x) {
            NDArray h = selfAttn.forward(scope, layerNorm1.forward(scope, x));
            NDArray r = h.add(x); // h first: the sum goes on this layer's scope, not the caller's
            NDArray m = mlp.forward(scope, layerNorm2.forward(scope, r));
            return r.add(m);
        }
    }

    static final class Attention extends Module {
        final Linear qProj;
        final Linear kProj;
        final Linear vProj;
        final Linear outProj;
        final int heads;

        Attention(Init init, Config c) {
            int d = c.hiddenSize();
            heads = c.numAttentionHeads();
            kProj = register("k_proj", new Linear(init, d, d, true));
            vProj = register("v_proj", new Linear(init, d, d, true));
            qProj = register("q_proj", new Linear(init, d, d, true));
            outProj = register("out_proj", new Linear(init, d, d, true));
        }

        NDArray forward(NDManager scope, NDArray x) {
            long b = x.getShape().get(0);
            long l = x.getShape().get(1);
            long d = x.getShape().get(2);
            NDArray q = split(qProj.forward(scope, x), b, l, d);
            NDArray k = split(kProj.forward(scope, x), b, l, d);
            NDArray v = split(vProj.forward(scope, x), b, l, d);
            NDArray o = TorchOps.attention(scope, q, k, v, true, false);
            NDArray merged = o.transpose(0, 2, 1, 3).reshape(b, l, d);
            return outProj.forward(scope, merged);
        }

        private NDArray split(NDArray t, long b, long l, long d) {
            return t.reshape(b, l, heads, d / heads).transpose(0, 2, 1, 3);
        }
    }

    static final class Mlp extends Module {
        final Linear fc1;
        final Linear fc2;
        final String act;

        Mlp(Init init, Config c) {
            act = c.hiddenAct();
            fc1 = register("fc1", new Linear(init, c.hiddenSize(), c.intermediateSize(), true));
            fc2 = register("fc2", new Linear(init, c.intermediateSize(), c.hiddenSize(), true));
        }

        NDArray forward(NDManager scope, NDArray x) {
            return fc2.forward(scope, Activations.apply(act, fc1.forward(scope, x)));
        }
    }
}
