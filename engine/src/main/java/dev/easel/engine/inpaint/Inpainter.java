package dev.easel.engine.inpaint;

import dev.easel.engine.EngineException;
import dev.easel.engine.pipeline.GenerationResult;
import dev.easel.engine.pipeline.GenerationSettings;
import dev.easel.engine.pipeline.ImageTensors;
import dev.easel.engine.pipeline.StableDiffusionPipeline;
import dev.easel.engine.pipeline.StepCallback;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Inpainting as A1111 runs it around the pipeline's diffusers-equal {@code inpaint}: the mask inverted if asked, the
 * masked area cut out (only-masked mode), generated, and every image pasted over the original through the blurred
 * mask, so pixels outside the mask stay exactly the original's.
 */
public final class Inpainter {

    private Inpainter() {}

    /**
     * The mask at the image's size (one note line when it had to be resized), inverted when asked: grey first, then
     * resized, as A1111 does ({@code create_binary_mask}, then {@code resize_image}).
     */
    public static BufferedImage prepareMask(
            BufferedImage image, BufferedImage mask, InpaintOptions options, List<String> notes) {
        if (mask == null) {
            throw new EngineException("inpainting needs a mask image (white = repaint)");
        }
        BufferedImage grey = new BufferedImage(mask.getWidth(), mask.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < mask.getHeight(); y++) {
            for (int x = 0; x < mask.getWidth(); x++) {
                int luma = ImageTensors.luma(mask.getRGB(x, y));
                int v = options.invertMask() ? 255 - luma : luma;
                grey.setRGB(x, y, (v << 16) | (v << 8) | v);
            }
        }
        if (mask.getWidth() != image.getWidth() || mask.getHeight() != image.getHeight()) {
            notes.add("the mask is " + mask.getWidth() + "x" + mask.getHeight() + " and the image " + image.getWidth()
                    + "x" + image.getHeight() + "; the mask was resized to the image");
            return scaled(grey, image.getWidth(), image.getHeight());
        }
        return grey;
    }

    /**
     * Inpaints {@code image} where {@code mask} is white, as the settings' width and height say (the whole picture)
     * or on the masked area scaled to them (only masked), and pastes the results over the original.
     */
    public static GenerationResult run(
            StableDiffusionPipeline pipe,
            GenerationSettings s,
            BufferedImage image,
            BufferedImage mask,
            double strength,
            InpaintOptions options,
            StepCallback callback,
            BooleanSupplier cancel,
            List<String> notes) {
        BufferedImage m = prepareMask(image, mask, options, notes);
        Rectangle area = options.onlyMasked() ? maskedArea(m, options.padding(), s.width(), s.height()) : null;
        if (options.onlyMasked() && area == null) {
            notes.add("the mask has no white pixel: nothing to repaint");
        }
        BufferedImage src = area == null ? image : image.getSubimage(area.x, area.y, area.width, area.height);
        BufferedImage srcMask = area == null ? m : m.getSubimage(area.x, area.y, area.width, area.height);
        GenerationResult r = pipe.inpaint(s, src, srcMask, strength, callback, cancel);
        BufferedImage alpha = blur(m, options.maskBlur());
        List<BufferedImage> pasted = new ArrayList<>();
        for (BufferedImage generated : r.images()) {
            BufferedImage full = area == null
                    ? scaled(generated, image.getWidth(), image.getHeight())
                    : pasteInto(image, scaled(generated, area.width, area.height), area);
            pasted.add(composite(image, full, alpha));
        }
        return new GenerationResult(pasted, r.seeds(), r.settings(), r.finalLatents(), r.millis());
    }

    /**
     * The bounding box of the mask's white pixels grown by {@code padding}, then widened to the generation's aspect
     * ratio and kept inside the image (A1111's {@code expand_crop_region}); null when nothing is white.
     */
    static Rectangle maskedArea(BufferedImage mask, int padding, int width, int height) {
        int x0 = Integer.MAX_VALUE;
        int y0 = Integer.MAX_VALUE;
        int x1 = -1;
        int y1 = -1;
        for (int y = 0; y < mask.getHeight(); y++) {
            for (int x = 0; x < mask.getWidth(); x++) {
                if ((mask.getRGB(x, y) & 0xff) >= 128) {
                    x0 = Math.min(x0, x);
                    y0 = Math.min(y0, y);
                    x1 = Math.max(x1, x);
                    y1 = Math.max(y1, y);
                }
            }
        }
        if (x1 < 0) {
            return null;
        }
        int w = mask.getWidth();
        int h = mask.getHeight();
        x0 = Math.max(0, x0 - padding);
        y0 = Math.max(0, y0 - padding);
        x1 = Math.min(w, x1 + 1 + padding);
        y1 = Math.min(h, y1 + 1 + padding);
        double ratio = (double) width / height;
        int cw = x1 - x0;
        int ch = y1 - y0;
        if ((double) cw / ch < ratio) {
            int target = Math.min(w, (int) Math.round(ch * ratio));
            x0 = Math.max(0, Math.min(w - target, x0 - (target - cw) / 2));
            x1 = x0 + target;
        } else {
            int target = Math.min(h, (int) Math.round(cw / ratio));
            y0 = Math.max(0, Math.min(h - target, y0 - (target - ch) / 2));
            y1 = y0 + target;
        }
        return new Rectangle(x0, y0, x1 - x0, y1 - y0);
    }

    /** A separable Gaussian blur (σ = radius / 2, as PIL's GaussianBlur(radius) is close to) of a grey image. */
    static BufferedImage blur(BufferedImage grey, int radius) {
        int w = grey.getWidth();
        int h = grey.getHeight();
        float[] v = new float[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                v[y * w + x] = grey.getRGB(x, y) & 0xff;
            }
        }
        if (radius > 0) {
            int k = radius * 2;
            float[] kernel = new float[2 * k + 1];
            double sigma = Math.max(radius / 2.0, 0.5);
            float sum = 0;
            for (int i = -k; i <= k; i++) {
                kernel[i + k] = (float) Math.exp(-i * i / (2 * sigma * sigma));
                sum += kernel[i + k];
            }
            for (int i = 0; i < kernel.length; i++) {
                kernel[i] /= sum;
            }
            v = pass(pass(v, w, h, kernel, true), w, h, kernel, false);
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < v.length; i++) {
            int c = Math.max(0, Math.min(255, Math.round(v[i])));
            out.setRGB(i % w, i / w, (c << 16) | (c << 8) | c);
        }
        return out;
    }

    private static float[] pass(float[] v, int w, int h, float[] kernel, boolean horizontal) {
        int k = kernel.length / 2;
        float[] out = new float[v.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float acc = 0;
                for (int i = -k; i <= k; i++) {
                    int xx = horizontal ? Math.max(0, Math.min(w - 1, x + i)) : x;
                    int yy = horizontal ? y : Math.max(0, Math.min(h - 1, y + i));
                    acc += kernel[i + k] * v[yy * w + xx];
                }
                out[y * w + x] = acc;
            }
        }
        return out;
    }

    /** {@code generated} over {@code original} with the grey {@code alpha} (white = generated). */
    static BufferedImage composite(BufferedImage original, BufferedImage generated, BufferedImage alpha) {
        int w = original.getWidth();
        int h = original.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int a = alpha.getRGB(x, y) & 0xff;
                int o = original.getRGB(x, y);
                int g = generated.getRGB(x, y);
                int rgb = 0;
                for (int shift = 16; shift >= 0; shift -= 8) {
                    int c = (((g >> shift) & 0xff) * a + ((o >> shift) & 0xff) * (255 - a) + 127) / 255;
                    rgb |= c << shift;
                }
                out.setRGB(x, y, rgb);
            }
        }
        return out;
    }

    private static BufferedImage pasteInto(BufferedImage image, BufferedImage part, Rectangle area) {
        BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.drawImage(image, 0, 0, null);
        g.drawImage(part, area.x, area.y, null);
        g.dispose();
        return out;
    }

    private static BufferedImage scaled(BufferedImage img, int width, int height) {
        return ImageTensors.resized(img, width, height);
    }
}
