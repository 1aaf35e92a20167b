package dev.easel.engine.pipeline;

import dev.easel.engine.EngineException;
import java.util.Locale;

/**
 * A1111's "Hires. fix": after the first pass at the requested size, the result is upscaled to a larger size and
 * denoised again as image-to-image at {@code denoisingStrength}, so the composition comes from the small pass and the
 * detail from the large one.
 *
 * @param upscaler how the first pass is enlarged
 * @param scale    the factor for the second pass's size (used when {@code width} and {@code height} are 0)
 * @param width    the second pass's width (0: width × scale)
 * @param height   the second pass's height (0: height × scale)
 * @param steps    the second pass's steps (0: as many as the first pass)
 * @param denoisingStrength how much of the upscaled image is re-drawn, in (0, 1]
 */
public record HiresFix(Upscaler upscaler, double scale, int width, int height, int steps, double denoisingStrength) {

    /** A1111's default denoising strength for the hires pass. */
    public static final double DEFAULT_DENOISING = 0.7;

    /** How the first pass is enlarged, with A1111's names. */
    public enum Upscaler {
        /** The latents, bilinearly ("Latent"). */
        LATENT("latent", "Latent"),
        /** The latents, nearest neighbour ("Latent (nearest)"). */
        LATENT_NEAREST("latent-nearest", "Latent (nearest)"),
        /** Decoded, Lanczos-resampled, encoded again ("Lanczos"). */
        LANCZOS("lanczos", "Lanczos");

        private final String id;
        private final String displayName;

        Upscaler(String id, String displayName) {
            this.id = id;
            this.displayName = displayName;
        }

        public String id() {
            return id;
        }

        /** The name in A1111's "Hires upscaler" field. */
        public String displayName() {
            return displayName;
        }

        /** An id ({@code latent-nearest}) or A1111 name ({@code Latent (nearest)}), case-insensitive. */
        public static Upscaler parse(String name) {
            String k = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
            for (Upscaler u : values()) {
                if (u.id.equals(k) || u.displayName.toLowerCase(Locale.ROOT).equals(k)) {
                    return u;
                }
            }
            throw new EngineException("unknown hires upscaler '" + name + "'; use latent, latent-nearest or lanczos");
        }
    }

    /** Upscale by a factor. */
    public static HiresFix byScale(Upscaler upscaler, double scale, int steps, double denoisingStrength) {
        return new HiresFix(upscaler, scale, 0, 0, steps, denoisingStrength);
    }

    /** Upscale to a size. */
    public static HiresFix toSize(Upscaler upscaler, int width, int height, int steps, double denoisingStrength) {
        return new HiresFix(upscaler, 0, width, height, steps, denoisingStrength);
    }

    /** The second pass's width for a first pass {@code baseWidth} wide. */
    public int targetWidth(int baseWidth) {
        return width > 0 ? width : (int) (baseWidth * scale);
    }

    public int targetHeight(int baseHeight) {
        return height > 0 ? height : (int) (baseHeight * scale);
    }

    /** The second pass's steps for a first pass of {@code baseSteps}. */
    public int steps(int baseSteps) {
        return steps > 0 ? steps : baseSteps;
    }

    /** Throws a one-line error naming what is wrong and what to write instead. */
    public void validate(int baseWidth, int baseHeight) {
        if (upscaler == null) {
            throw new EngineException("hires fix needs an upscaler: latent, latent-nearest or lanczos");
        }
        if (!(denoisingStrength > 0 && denoisingStrength <= 1)) {
            throw new EngineException("denoising strength must be in (0, 1], got " + denoisingStrength
                    + " (A1111's default for hires fix is 0.7)");
        }
        if (steps < 0 || steps > 1000) {
            throw new EngineException(
                    "hires steps must be between 0 (as many as the first pass) and 1000, got " + steps);
        }
        if (width == 0 && height == 0 && !(scale >= 1 && scale <= 8)) {
            throw new EngineException(
                    "hires scale must be between 1 and 8, got " + scale + " (e.g. 2 doubles the size)");
        }
        if ((width == 0) != (height == 0) || width < 0 || height < 0) {
            throw new EngineException(
                    "hires size needs a width and a height, e.g. 1024x1024, got " + width + "x" + height);
        }
        int w = targetWidth(baseWidth);
        int h = targetHeight(baseHeight);
        if (w % 8 != 0 || h % 8 != 0) {
            throw new EngineException("hires size " + w + "x" + h + " is not a multiple of 8"
                    + (width == 0 ? " (from scale " + scale + ")" : "") + "; use " + round8(w) + "x" + round8(h)
                    + " (hires size) or a scale that gives multiples of 8");
        }
        if (w < baseWidth || h < baseHeight) {
            throw new EngineException("hires size " + w + "x" + h + " is smaller than the first pass " + baseWidth + "x"
                    + baseHeight + "; give a larger size or a scale ≥ 1");
        }
    }

    /** A1111's "Hires upscale" value: the scale, or null when a size was given ("Hires resize" then). */
    public String upscaleField() {
        return width > 0 ? null : trim(scale);
    }

    private static int round8(int v) {
        return Math.max(8, Math.round(v / 8f) * 8);
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
