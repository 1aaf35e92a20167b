package dev.easel.engine.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/**
 * Lanczos resampling as PIL does it (diffusers' {@code VaeImageProcessor} resizes images and masks with it), checked
 * against cases worked by hand. L(x) = sinc(x)·sinc(x/3), sinc(x) = sin(πx)/(πx); output o of n → m samples is
 * centred at c = (o + ½)·n/m, the kernel is stretched by s = max(1, n/m), sample i weighs L((i + ½ − c)/s), the
 * weights are normalised, and the sum is rounded.
 */
class LanczosTest {

    private static BufferedImage row(int... grey) {
        BufferedImage img = new BufferedImage(grey.length, 1, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < grey.length; x++) {
            img.setRGB(x, 0, grey[x] * 0x010101);
        }
        return img;
    }

    @Test
    void enlargingTwoSamplesToFour() {
        // n = 2, m = 4, s = 1. Output 1: c = 0.75, sample 0 at x = −0.25: L = 0.900316·0.988616 = 0.890067;
        // sample 1 at x = 0.75: L = 0.300105·0.900316 = 0.270190; 255·0.270190/1.160257 = 59.38 → 59.
        // Output 0: c = 0.25, x = 0.25 and 1.25: L = 0.890067 and −0.180063·0.737913 = −0.132871, so the white
        // sample's weight is negative: 255·(−0.175481) → 0. Outputs 2 and 3 mirror them: 196 and 255.
        assertArrayEquals(new int[] {0, 59, 196, 255}, Lanczos.resize(new int[] {0, 255}, 2, 1, 4, 1));
        assertArrayEquals(new int[] {0, 59, 196, 255}, Lanczos.resize(new int[] {0, 255}, 1, 2, 1, 4), "along y");
    }

    @Test
    void theHorizontalPassComesFirstAndIsRoundedToEightBits() {
        // 2x2 [[0, 255], [255, 255]] to 4x4. Rows first: 0, 59, 196, 255 and four 255s. Then column 1 is (59, 255):
        // its output 0 is 1.175491·59 − 0.175481·255 = 24.61 → 25 and its output 2 is 0.232868·59 + 0.767122·255 =
        // 209.36 → 209 (columns first would give 59 and 210 there; PIL does rows first).
        assertArrayEquals(
                new int[] {0, 25, 186, 255, 59, 105, 210, 255, 196, 209, 241, 255, 255, 255, 255, 255},
                Lanczos.resize(new int[] {0, 255, 255, 255}, 2, 2, 4, 4));
    }

    @Test
    void shrinkingFiveSamplesToThreeWidensTheKernel() {
        // n = 5, m = 3, s = 5/3, so x = (i + 0.5 − c)·0.6. Output 1: c = 2.5, x = −1.2, −0.6, 0, 0.6, 1.2 with
        // L = −0.118000, 0.472002, 1, 0.472002, −0.118000 (sum 1.708004); the white samples 1 and 3 give
        // 255·0.944004/1.708004 = 140.94 → 141. Output 0: c = 5/6, x = −0.2, 0.4, 1.0, 1.6, 2.2 with
        // L = 0.928665, 0.734888, 0, −0.112306, 0.027433 (sum 1.578680); 255·0.622582/1.578680 = 100.56 → 101.
        assertArrayEquals(new int[] {101, 141, 101}, Lanczos.resize(new int[] {0, 255, 0, 255, 0}, 5, 1, 3, 1));
        BufferedImage rgb = ImageTensors.resized(row(0, 255, 0, 255, 0), 3, 1);
        assertArrayEquals(
                new int[] {0xff656565, 0xff8d8d8d, 0xff656565},
                rgb.getRGB(0, 0, 3, 1, null, 0, 3),
                "the image resize is the same Lanczos, per channel");
    }

    @Test
    void aMaskIsResizedWithLanczosBeforeItIsBinarised() {
        // 101, 141, 101 binarised at 128: only the middle is repainted. Bicubic (a = −0.5) gives 106, 126, 106,
        // which would repaint nothing.
        try (NDManager m = NDManager.newBaseManager()) {
            assertArrayEquals(
                    new float[] {0, 1, 0},
                    ImageTensors.toMask(m, row(0, 255, 0, 255, 0), 3, 1).toFloatArray());
            assertArrayEquals(
                    new float[] {0, 0, 1, 1},
                    ImageTensors.toMask(m, row(0, 255), 4, 1).toFloatArray());
        }
    }

    @Test
    void aSideThatKeepsItsSizeIsNotResampled() {
        int[] grey = {3, 200, 17, 90};
        assertArrayEquals(grey, Lanczos.resize(grey, 4, 1, 4, 1));
        BufferedImage same = row(3, 200, 17, 90);
        assertSame(same, ImageTensors.resized(same, 4, 1));
    }
}
