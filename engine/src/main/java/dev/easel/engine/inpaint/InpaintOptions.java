package dev.easel.engine.inpaint;

import dev.easel.engine.BadValueException;
import java.util.Locale;

/**
 * A1111's extras on top of diffusers' inpainting.
 *
 * @param maskBlur Gaussian blur radius in pixels of the mask with which the result is pasted over the original, so
 *                 the seam fades (0: a hard edge)
 * @param onlyMasked A1111's "inpaint area: only masked": the masked area plus {@code padding} is cut out, generated at
 *                   the full size and pasted back; false: the whole picture
 * @param padding pixels around the masked area when {@code onlyMasked}
 * @param invertMask repaint the black pixels instead of the white ones
 */
public record InpaintOptions(int maskBlur, boolean onlyMasked, int padding, boolean invertMask) {

    public static final InpaintOptions DEFAULT = new InpaintOptions(4, false, 32, false);

    public InpaintOptions {
        if (maskBlur < 0 || padding < 0) {
            throw new BadValueException("mask blur and padding must be ≥ 0, got " + maskBlur + " and " + padding);
        }
    }

    /** {@code whole} or {@code masked}, as typed after {@code --inpaint-area}. */
    public static boolean onlyMasked(String area) {
        return switch (area.strip().toLowerCase(Locale.ROOT)) {
            case "whole", "whole picture" -> false;
            case "masked", "only masked" -> true;
            default -> throw new BadValueException("--inpaint-area must be whole or masked, got '" + area + "'");
        };
    }
}
