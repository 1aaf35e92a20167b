package dev.easel.engine.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.EngineException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/**
 * diffusers' VAE tiling ({@code AutoencoderKL.enable_tiling}, a pipeline's {@code enable_vae_tiling}): a latent wider
 * or taller than one tile is decoded tile by tile — and an image larger than one tile encoded tile by tile — so that
 * memory is one tile's activations plus the output, whatever the image size. Tiles overlap their neighbours by a
 * quarter of a tile and the overlaps are blended linearly, top to bottom and left to right, as diffusers does.
 *
 * <p>Each tile runs the whole decoder alone: its group norms see only the tile's statistics and its mid-block
 * attention only the tile's pixels, so a tiled image is close to, not equal to, an untiled one (the blending hides the
 * seams). An input no larger than one tile is not tiled at all, so it is bit-identical to an untiled decode.
 *
 * <p>The geometry, as diffusers 0.25: a tile is {@code sample_size} pixels ({@code tile_sample_min_size}) and
 * {@code sample_size / 2^(levels - 1)} latent cells ({@code tile_latent_min_size}); tiles start every
 * {@code int(tile · 0.75)} input cells, and of each tile the first {@code int(tile · 0.25)} output rows and columns
 * are blended with the tile above and the one to the left (the above and left tiles as already blended), then its
 * top-left {@code tile - int(tile · 0.25)} square is kept. Tiles at the right and bottom edges are smaller.
 *
 * <p>Memory: the tiles are decoded row by row; only the previous row of (blended, full) tiles and the kept parts of the
 * output stay alive, and every tile's activations are freed as the tile ends. Inference only (grad mode off): the
 * tiles' managers are closed as the pass goes.
 *
 * @param tileSize the tile side in pixels; 0 takes the VAE's {@code sample_size} (512 for SD 1.x, 768 for SD 2.x-v),
 *                 as diffusers does. Smaller tiles need less memory and give more seams.
 */
public record VaeTiling(int tileSize) {

    /** How much of a tile overlaps the next one (diffusers' {@code tile_overlap_factor}). */
    public static final double OVERLAP = 0.25;

    /** Tiles of the VAE's own {@code sample_size}, as diffusers' {@code enable_vae_tiling()}. */
    public static final VaeTiling DEFAULT = new VaeTiling(0);

    public VaeTiling {
        if (tileSize < 0) {
            throw new EngineException("the VAE tile size must be a positive number of pixels (0: the VAE's"
                    + " sample_size), got " + tileSize);
        }
    }

    /** Pixels per latent cell of this VAE: it halves the image once per level after the first. */
    static int scaleFactor(AutoencoderKL.Config c) {
        return 1 << (c.blockOutChannels().length - 1);
    }

    /**
     * The tile side in pixels for this VAE (diffusers' {@code tile_sample_min_size}).
     *
     * @throws EngineException when the tiles would not fit together: the side must be a multiple of 4 latent cells,
     *     so that a tile's quarter overlap is a whole number of cells in both the latents and the pixels
     */
    public int pixelTile(AutoencoderKL.Config c) {
        int tile = tileSize > 0 ? tileSize : c.sampleSize();
        int unit = 4 * scaleFactor(c);
        if (tile % unit != 0) {
            throw new EngineException(
                    (tileSize > 0 ? "--vae-tile-size " + tile : "the VAE's sample_size " + tile + " as a tile size")
                            + " does not split into overlapping tiles: use a multiple of " + unit
                            + " pixels (4 latent cells of " + scaleFactor(c) + " pixels)");
        }
        return tile;
    }

    /** The tile side in latent cells (diffusers' {@code tile_latent_min_size}). */
    public int latentTile(AutoencoderKL.Config c) {
        return pixelTile(c) / scaleFactor(c);
    }

    /**
     * Whether a {@code width}×{@code height} image is tiled by this VAE, in its decode and in its encode alike (a
     * side larger than one tile): only then does tiling change the image.
     */
    public boolean tiles(AutoencoderKL.Config c, int width, int height) {
        int tile = pixelTile(c);
        return width > tile || height > tile;
    }

    /** Decodes latents [B, C, h, w] tile by tile when they exceed one tile, else in one pass. */
    NDArray decode(AutoencoderKL vae, NDManager scope, NDArray z, BiConsumer<String, NDArray> hook) {
        int tile = latentTile(vae.config);
        int pixels = pixelTile(vae.config);
        int blend = (int) (pixels * OVERLAP);
        return tiled(
                scope,
                z,
                tile,
                (int) (tile * (1 - OVERLAP)),
                blend,
                pixels - blend,
                (tileScope, part) -> vae.decodeTile(tileScope, part, hook));
    }

    /** The encoder's moments (mean and log-variance, [B, 2C, h, w]) tile by tile when the image exceeds one tile. */
    NDArray moments(AutoencoderKL vae, NDManager scope, NDArray image) {
        int tile = pixelTile(vae.config);
        int latent = latentTile(vae.config);
        int blend = (int) (latent * OVERLAP);
        return tiled(scope, image, tile, (int) (tile * (1 - OVERLAP)), blend, latent - blend, vae::moments);
    }

    /**
     * Runs {@code code} on overlapping {@code tile}-sided crops of {@code input} starting every {@code stride} cells,
     * blends each result's first {@code blend} rows and columns into the tiles above and to the left, and joins the
     * top-left {@code keep} squares.
     */
    private static NDArray tiled(
            NDManager scope,
            NDArray input,
            int tile,
            int stride,
            int blend,
            int keep,
            BiFunction<NDManager, NDArray, NDArray> code) {
        long height = input.getShape().get(2);
        long width = input.getShape().get(3);
        if (height <= tile && width <= tile) {
            return code.apply(scope, input);
        }
        NDList rows = new NDList();
        try (NDManager pass = scope.newSubManager()) {
            NDManager aboveScope = null;
            List<NDArray> above = null;
            for (long i = 0; i < height; i += stride) {
                NDManager rowScope = pass.newSubManager();
                List<NDArray> row = new ArrayList<>();
                NDList kept = new NDList();
                for (long j = 0; j < width; j += stride) {
                    NDArray out;
                    try (NDManager tileScope = pass.newSubManager()) {
                        NDArray part = input.get(new NDIndex(
                                "..., {}:{}, {}:{}", i, Math.min(i + tile, height), j, Math.min(j + tile, width)));
                        part.attach(tileScope);
                        out = code.apply(tileScope, part);
                        if (above != null) {
                            out = blendV(above.get(row.size()), out, blend);
                        }
                        if (!row.isEmpty()) {
                            out = blendH(row.get(row.size() - 1), out, blend);
                        }
                        out.attach(rowScope);
                    }
                    row.add(out);
                    NDArray part = out.get(new NDIndex("..., :{}, :{}", keep, keep));
                    part.attach(rowScope);
                    kept.add(part);
                }
                NDArray joined = kept.size() == 1 ? kept.get(0).duplicate() : NDArrays.concat(kept, 3);
                joined.attach(scope);
                rows.add(joined);
                if (aboveScope != null) {
                    aboveScope.close(); // the row before is blended into this one: done with it
                }
                aboveScope = rowScope;
                above = row;
            }
        }
        if (rows.size() == 1) {
            return rows.get(0);
        }
        NDArray out = NDArrays.concat(rows, 2);
        out.attach(scope);
        rows.close();
        return out;
    }

    /**
     * diffusers' {@code blend_v}: {@code below} with its first rows faded in from {@code above}'s last ones — row y of
     * the {@code extent} (at most either tile's height) gets {@code above[-extent + y]·(1 - y/extent) +
     * below[y]·(y/extent)}. Returns a new array on {@code below}'s manager.
     */
    static NDArray blendV(NDArray above, NDArray below, int extent) {
        return blend(above, below, extent, 2);
    }

    /** diffusers' {@code blend_h}: as {@link #blendV}, across the columns of a tile and its left neighbour. */
    static NDArray blendH(NDArray left, NDArray right, int extent) {
        return blend(left, right, extent, 3);
    }

    private static NDArray blend(NDArray a, NDArray b, int extent, int axis) {
        int e = (int) Math.min(Math.min(a.getShape().get(axis), b.getShape().get(axis)), extent);
        if (e <= 0) {
            return b;
        }
        NDManager m = b.getManager();
        // The weights rounded once from double, as PyTorch rounds diffusers' Python float to the tensor's type
        float[] fade = new float[e];
        float[] rise = new float[e];
        for (int y = 0; y < e; y++) {
            fade[y] = (float) (1 - y / (double) e);
            rise[y] = (float) (y / (double) e);
        }
        Shape weights = axis == 2 ? new Shape(1, 1, e, 1) : new Shape(1, 1, 1, e);
        try (NDManager scratch = m.newSubManager()) {
            NDArray fadeOut = scratch.create(fade, weights).toType(b.getDataType(), false);
            NDArray fadeIn = scratch.create(rise, weights).toType(b.getDataType(), false);
            long aLength = a.getShape().get(axis);
            NDArray tail = a.get(slice(axis, aLength - e, aLength));
            tail.attach(scratch); // before the arithmetic: results go to their first operand's manager
            NDArray head = b.get(slice(axis, 0, e));
            head.attach(scratch);
            NDArray rest = b.get(slice(axis, e, b.getShape().get(axis)));
            rest.attach(scratch);
            NDArray blended = tail.mul(fadeOut).add(head.mul(fadeIn));
            NDArray out = NDArrays.concat(new NDList(blended, rest), axis);
            out.attach(m);
            return out;
        }
    }

    private static NDIndex slice(int axis, long from, long to) {
        return axis == 2 ? new NDIndex("..., {}:{}, :", from, to) : new NDIndex("..., {}:{}", from, to);
    }
}
