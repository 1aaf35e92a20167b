package dev.easel;

import dev.easel.engine.pipeline.GenerationParameters;
import dev.easel.notebook.ImageGrid;
import dev.easel.notebook.Outputs;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The images of one {@code txt2img}/{@code img2img} run, with the seed and parameters of each. Shown inline as a grid
 * with captions (one image: just the image); {@link #save} writes PNGs that carry their parameters.
 *
 * <pre>{@code
 * var result = sd.txt2img("a red circle").batch(4).seed(42).run();
 * result.images().get(0);          // BufferedImage
 * result.seeds();                  // [42, 43, 44, 45]
 * result.parameters().get(0).toA1111();
 * result.save(Path.of("keep"));    // keep/00000-42.png …
 * }</pre>
 */
public final class Generation {

    private final List<BufferedImage> images;
    private final List<GenerationParameters> parameters;
    private final List<Path> savedFiles = new ArrayList<>();
    private final double seconds;

    public Generation(List<BufferedImage> images, List<GenerationParameters> parameters, double seconds) {
        if (images.size() != parameters.size()) {
            throw new IllegalArgumentException(images.size() + " images but " + parameters.size() + " parameter sets");
        }
        this.images = List.copyOf(images);
        this.parameters = List.copyOf(parameters);
        this.seconds = seconds;
    }

    public List<BufferedImage> images() {
        return images;
    }

    /** The first image — handy for a batch of one. */
    public BufferedImage image() {
        return images.get(0);
    }

    public List<Long> seeds() {
        return parameters.stream().map(GenerationParameters::seed).toList();
    }

    /** The parameters of each image, in A1111's terms ({@link GenerationParameters#toA1111()}). */
    public List<GenerationParameters> parameters() {
        return parameters;
    }

    /** Wall-clock seconds the run took. */
    public double seconds() {
        return seconds;
    }

    /** The PNG files written so far by {@link #save}. */
    public synchronized List<Path> savedFiles() {
        return List.copyOf(savedFiles);
    }

    /** Saves every image as a PNG with its {@code parameters} chunk in {@code dir}; returns the files. */
    public synchronized List<Path> save(Path dir) {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            files.add(Outputs.save(images.get(i), parameters.get(i), dir));
        }
        savedFiles.addAll(files);
        return files;
    }

    /** Saves into the outputs folder ({@code %outputs}). */
    public List<Path> save() {
        return save(Outputs.folder());
    }

    /** All images in one picture with "seed N" captions (one image: the image itself). */
    public BufferedImage grid() {
        if (images.size() == 1) {
            return images.get(0);
        }
        return ImageGrid.compose(images, seeds().stream().map(s -> "seed " + s).toList());
    }

    @Override
    public String toString() {
        GenerationParameters first = parameters.get(0);
        StringBuilder out = new StringBuilder();
        out.append(images.size())
                .append(images.size() == 1 ? " image " : " images ")
                .append(first.width())
                .append('x')
                .append(first.height())
                .append(String.format(" in %.1f s · ", seconds))
                .append(first.steps())
                .append(" steps ")
                .append(first.sampler())
                .append(" · CFG ")
                .append(
                        first.cfgScale() == Math.rint(first.cfgScale())
                                ? String.valueOf((long) first.cfgScale())
                                : String.valueOf(first.cfgScale()))
                .append(" · seed")
                .append(images.size() == 1 ? " " : "s ")
                .append(seeds().size() == 1 ? seeds().get(0) : seeds().toString())
                .append("\nprompt: ")
                .append(first.prompt());
        if (!first.negativePrompt().isEmpty()) {
            out.append("\nnegative: ").append(first.negativePrompt());
        }
        if (first.extra().containsKey("Lora hashes")) { // the LoRAs are <lora:…> tags in the prompt; these say which
            out.append("\nLoRA hashes: ").append(first.extra().get("Lora hashes"));
        }
        List<Path> files = savedFiles();
        if (!files.isEmpty()) {
            out.append("\nsaved: ")
                    .append(
                            files.size() == 1
                                    ? files.get(0)
                                    : files.get(0).getParent() + " (" + files.size() + " files)");
        }
        return out.toString();
    }
}
