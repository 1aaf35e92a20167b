package dev.easel.engine.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.EngineException;
import dev.easel.engine.Reference;
import dev.easel.engine.loading.LoadOptions;
import dev.easel.engine.loading.ModelLoader;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.torch.LibTorch;
import dev.easel.engine.torch.Randomness;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * diffusers' VAE tiling on the tiny reference VAE (block_out_channels 32/64: 2 pixels per latent cell, sample_size 32,
 * so its own tiles are 32 pixels = 16 latent cells). Small tiles (16 pixels = 8 cells: overlap 6 cells, blend 4
 * pixels, 12 kept) make several rows and columns of tiles, edge tiles of other sizes included, on inputs of a few
 * dozen cells.
 */
class VaeTilingTest {

    static StableDiffusionPipeline pipe;
    static AutoencoderKL vae;

    @BeforeAll
    static void load() {
        pipe = ModelLoader.load(Reference.model(), LoadOptions.cpu());
        vae = pipe.vae();
        LibTorch.setGradMode(false);
    }

    @AfterAll
    static void close() {
        pipe.close();
    }

    @Test
    void blendFadesTheFirstRowsInFromTheTileAbovesLastRows() {
        try (NDManager m = NDManager.newBaseManager()) {
            // above: rows 1, 2, 3, 4 (two columns); below: rows 10, 20, 30
            NDArray above = m.create(new float[] {1, 1, 2, 2, 3, 3, 4, 4}, new Shape(1, 1, 4, 2));
            NDArray below = m.create(new float[] {10, 10, 20, 20, 30, 30}, new Shape(1, 1, 3, 2));
            // extent 2: row 0 = above[-2]·1 + below[0]·0 = 3; row 1 = above[-1]·0.5 + below[1]·0.5 = 12; row 2 kept
            assertArrayEquals(
                    new float[] {3, 3, 12, 12, 30, 30},
                    VaeTiling.blendV(above, below, 2).toFloatArray());
            // an extent beyond the shorter tile is cut to it (diffusers' min(a.shape, b.shape, extent)): thirds
            float twoThirds = (float) (2 / 3.0);
            float oneThird = (float) (1 / 3.0);
            float row1 = 3 * twoThirds + 20 * oneThird;
            float row2 = 4 * oneThird + 30 * twoThirds;
            assertArrayEquals(
                    new float[] {2, 2, row1, row1, row2, row2},
                    VaeTiling.blendV(above, below, 9).toFloatArray());
            // extent 0: no blending
            assertArrayEquals(
                    below.toFloatArray(), VaeTiling.blendV(above, below, 0).toFloatArray());

            // columns: left's last columns into right's first ones, every row alike
            NDArray left = m.create(new float[] {1, 2, 3, 5, 6, 7}, new Shape(1, 1, 2, 3));
            NDArray right = m.create(new float[] {10, 20, 30, 40, 50, 60}, new Shape(1, 1, 2, 3));
            assertArrayEquals(
                    new float[] {2, 11.5f, 30, 6, 28.5f, 60},
                    VaeTiling.blendH(left, right, 2).toFloatArray());
        }
    }

    @Test
    void aLatentNoLargerThanATileDecodesExactlyAsWithoutTiling() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = latents(m, 16, 12, 1); // the tiny VAE's own tile: 16 cells
            assertArrayEquals(
                    vae.decode(m, z).toFloatArray(),
                    vae.decode(m, z, VaeTiling.DEFAULT, null).toFloatArray());
            NDArray image = latents(m, 32, 24, 3);
            assertArrayEquals(
                    vae.encode(m, image).mean().toFloatArray(),
                    vae.encode(m, image, VaeTiling.DEFAULT).mean().toFloatArray());
        }
    }

    @Test
    void tiledDecodeIsDiffusersLoopOverTheTiles() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = latents(m, 20, 14, 2); // tiles start at 0, 6, 12, 18 down and 0, 6, 12 across
            VaeTiling tiling = new VaeTiling(16);
            NDArray tiled = vae.decode(m, z, tiling, null);
            assertArrayEquals(new long[] {2, 3, 40, 28}, tiled.getShape().getShape());
            float[][][][] expected = byHand(m, z, 8, 6, 4, 12, (s, crop) -> vae.decode(s, crop));
            assertArrayEquals(flatten(expected), tiled.toFloatArray());
        }
    }

    @Test
    void tiledEncodeIsDiffusersLoopOverTheTiles() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray image = latents(m, 40, 30, 3); // pixels: tiles of 16 start every 12
            NDArray moments = new VaeTiling(16).moments(vae, m, image);
            assertArrayEquals(new long[] {1, 8, 20, 15}, moments.getShape().getShape());
            // in latent cells: a tile of 8, of which the first 2 are blended and 6 kept
            float[][][][] expected = byHand(m, image, 16, 12, 2, 6, vae::moments);
            assertArrayEquals(flatten(expected), moments.toFloatArray());
            AutoencoderKL.LatentDistribution d = vae.encode(m, image, new VaeTiling(16));
            assertArrayEquals(
                    moments.get(new NDIndex(":, :4")).toFloatArray(), d.mean().toFloatArray());
        }
    }

    /**
     * Tiled and untiled decodes of the same latents differ: each tile normalises with its own statistics, attends only
     * within itself and is zero-padded at its borders. The yardstick is that intrinsic error alone — one tile decoded
     * on its own against the same region of the untiled decode: the assembled, blended image must differ from the
     * untiled one by no more than that (blending averages two such errors; the kept parts are such tiles), so the
     * tiling itself adds nothing. A tile placed one cell off would differ by about the image's whole spread.
     */
    @Test
    void tiledDecodeIsAsCloseToUntiledAsOneTileAloneIs() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = latents(m, 32, 32, 1);
            NDArray whole = vae.decode(m, z);
            float[] tiled = vae.decode(m, z, VaeTiling.DEFAULT, null).toFloatArray(); // 16-cell tiles: 3×3 of them
            double meanDiff = meanAbsDiff(whole.toFloatArray(), tiled);
            assertTrue(meanDiff > 0, "tiling changed nothing: was the latent tiled at all?");
            float[] alone = vae.decode(m, z.get(new NDIndex("..., :16, :16"))).toFloatArray();
            double intrinsic =
                    meanAbsDiff(whole.get(new NDIndex("..., :32, :32")).toFloatArray(), alone);
            NDArray shifted = z.get(new NDIndex("..., 1:, :")).concat(z.get(new NDIndex("..., :1, :")), 2);
            double misplaced =
                    meanAbsDiff(whole.toFloatArray(), vae.decode(m, shifted).toFloatArray());
            assertTrue(
                    meanDiff <= 1.1 * intrinsic && meanDiff < 0.5 * misplaced,
                    "tiled vs untiled mean |diff| " + meanDiff + " (one tile alone: " + intrinsic + ", one cell off: "
                            + misplaced + ")");
        }
    }

    /**
     * What a tiled decode holds at once does not grow with the image: every block output every tile's decoder makes
     * is seen, and at each moment the ones not yet freed are summed. Four times the area (sixteen tiles more) peaks
     * at the same bytes; untiled, the peak grows with the area.
     */
    @Test
    void aTiledDecodesLiveActivationsDoNotGrowWithTheImage() {
        VaeTiling tiling = new VaeTiling(16);
        long small = peakLiveBytes(20, tiling);
        long large = peakLiveBytes(44, tiling);
        long untiled = peakLiveBytes(44, null);
        assertTrue(large <= small * 11 / 10, "tiled peak grew with the image: " + small + " → " + large + " bytes");
        assertTrue(large * 10 < untiled, "tiled peak " + large + " bytes is not far below the untiled " + untiled);
    }

    @Test
    void tileSizesThatDoNotSplitEvenlyAreRefusedInOneLine() {
        EngineException e = assertThrows(EngineException.class, () -> new VaeTiling(20).pixelTile(vae.config));
        assertTrue(e.getMessage().contains("multiple of 8"), e.getMessage());
        assertThrows(EngineException.class, () -> new VaeTiling(-1));
        assertEquals(32, VaeTiling.DEFAULT.pixelTile(vae.config));
        assertFalse(VaeTiling.DEFAULT.tiles(vae.config, 32, 32));
        assertTrue(VaeTiling.DEFAULT.tiles(vae.config, 40, 32));
    }

    private static long peakLiveBytes(int cells, VaeTiling tiling) {
        List<NDArray> seen = new ArrayList<>();
        long[] peak = {0};
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = latents(m, cells, cells, 1);
            try (NDManager scope = m.newSubManager()) {
                vae.decode(scope, z, tiling, (block, x) -> {
                    seen.add(x);
                    long live = 0;
                    Map<NDArray, Boolean> counted = new IdentityHashMap<>();
                    for (NDArray a : seen) {
                        if (!a.isReleased() && counted.put(a, true) == null) {
                            live += a.size() * 4;
                        }
                    }
                    peak[0] = Math.max(peak[0], live);
                });
            }
        }
        return peak[0];
    }

    /** N(0, 1) of [batch, 4 or 3, h, w] from a fixed seed. */
    private static NDArray latents(NDManager m, int h, int w, int batchOrImage) {
        boolean image = batchOrImage == 3;
        try (Randomness.Held held = Randomness.seeded(7)) {
            return m.randomNormal(new Shape(image ? 1 : batchOrImage, image ? 3 : 4, h, w));
        }
    }

    /**
     * diffusers' {@code tiled_decode}/{@code tiled_encode} loops written out on plain float arrays: every tile coded
     * whole, then in order each blended in place with the (already blended) tile above and the one to the left, and
     * its top-left {@code keep} square placed where the rows and columns before it end.
     */
    private static float[][][][] byHand(
            NDManager m,
            NDArray input,
            int tile,
            int stride,
            int blend,
            int keep,
            BiFunction<NDManager, NDArray, NDArray> code) {
        long height = input.getShape().get(2);
        long width = input.getShape().get(3);
        List<List<float[][][][]>> rows = new ArrayList<>();
        for (long i = 0; i < height; i += stride) {
            List<float[][][][]> row = new ArrayList<>();
            for (long j = 0; j < width; j += stride) {
                NDArray crop = input.get(
                        new NDIndex("..., {}:{}, {}:{}", i, Math.min(i + tile, height), j, Math.min(j + tile, width)));
                row.add(nchw(code.apply(m, crop)));
            }
            rows.add(row);
        }
        int batch = rows.get(0).get(0).length;
        int channels = rows.get(0).get(0)[0].length;
        int outH = 0;
        int outW = 0;
        for (List<float[][][][]> row : rows) {
            outH += Math.min(keep, row.get(0)[0][0].length);
        }
        for (float[][][][] t : rows.get(0)) {
            outW += Math.min(keep, t[0][0][0].length);
        }
        float[][][][] out = new float[batch][channels][outH][outW];
        int top = 0;
        for (int i = 0; i < rows.size(); i++) {
            int leftEdge = 0;
            List<float[][][][]> row = rows.get(i);
            for (int j = 0; j < row.size(); j++) {
                float[][][][] b = row.get(j);
                int h = b[0][0].length;
                int w = b[0][0][0].length;
                if (i > 0) {
                    float[][][][] a = rows.get(i - 1).get(j);
                    int ah = a[0][0].length;
                    int e = Math.min(Math.min(ah, h), blend);
                    for (int y = 0; y < e; y++) {
                        for (int n = 0; n < batch; n++) {
                            for (int c = 0; c < channels; c++) {
                                for (int x = 0; x < w; x++) {
                                    b[n][c][y][x] = a[n][c][ah - e + y][x] * (float) (1 - y / (double) e)
                                            + b[n][c][y][x] * (float) (y / (double) e);
                                }
                            }
                        }
                    }
                }
                if (j > 0) {
                    float[][][][] a = row.get(j - 1);
                    int aw = a[0][0][0].length;
                    int e = Math.min(Math.min(aw, w), blend);
                    for (int x = 0; x < e; x++) {
                        for (int n = 0; n < batch; n++) {
                            for (int c = 0; c < channels; c++) {
                                for (int y = 0; y < h; y++) {
                                    b[n][c][y][x] = a[n][c][y][aw - e + x] * (float) (1 - x / (double) e)
                                            + b[n][c][y][x] * (float) (x / (double) e);
                                }
                            }
                        }
                    }
                }
                for (int n = 0; n < batch; n++) {
                    for (int c = 0; c < channels; c++) {
                        for (int y = 0; y < Math.min(keep, h); y++) {
                            System.arraycopy(b[n][c][y], 0, out[n][c][top + y], leftEdge, Math.min(keep, w));
                        }
                    }
                }
                leftEdge += Math.min(keep, w);
            }
            top += Math.min(keep, row.get(0)[0][0].length);
        }
        return out;
    }

    private static float[][][][] nchw(NDArray x) {
        long[] s = x.getShape().getShape();
        float[] flat = x.toFloatArray();
        float[][][][] out = new float[(int) s[0]][(int) s[1]][(int) s[2]][(int) s[3]];
        int k = 0;
        for (float[][][] n : out) {
            for (float[][] c : n) {
                for (float[] y : c) {
                    System.arraycopy(flat, k, y, 0, y.length);
                    k += y.length;
                }
            }
        }
        return out;
    }

    private static float[] flatten(float[][][][] x) {
        List<Float> all = new ArrayList<>();
        for (float[][][] n : x) {
            for (float[][] c : n) {
                for (float[] y : c) {
                    for (float v : y) {
                        all.add(v);
                    }
                }
            }
        }
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    private static double std(float[] x) {
        double mean = 0;
        for (float v : x) {
            mean += v;
        }
        mean /= x.length;
        double var = 0;
        for (float v : x) {
            var += (v - mean) * (v - mean);
        }
        return Math.sqrt(var / x.length);
    }

    private static double meanAbsDiff(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs(a[i] - b[i]);
        }
        return sum / a.length;
    }
}
