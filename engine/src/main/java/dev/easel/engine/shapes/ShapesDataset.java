package dev.easel.engine.shapes;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The captioned shapes dataset the default model learns from, generated on demand and deterministic from a seed:
 * example {@code i} is always the same image and caption, so a training run can resume at any example.
 *
 * <p>Captions follow {@code a [small|large] {color} {shape} on a {background} background [in the top left…]}.
 * The {@link #HELD_OUT} combinations never appear in training; evaluation asks the model for them.
 */
public final class ShapesDataset {

    /**
     * Twelve (color, shape, background) combinations kept out of training: each shape four times, every color and
     * background still seen in training in other combinations, so a model that gets them right has composed them.
     */
    public static final List<Combination> HELD_OUT = List.of(
            combo("red", "circle", "blue"),
            combo("green", "square", "yellow"),
            combo("blue", "triangle", "white"),
            combo("yellow", "circle", "purple"),
            combo("purple", "square", "orange"),
            combo("orange", "triangle", "black"),
            combo("white", "circle", "green"),
            combo("black", "square", "red"),
            combo("red", "square", "white"),
            combo("green", "triangle", "blue"),
            combo("blue", "circle", "black"),
            combo("yellow", "triangle", "red"));

    private static final String[] POSITIONS = {
        "in the top left", "in the top right", "in the bottom left", "in the bottom right", "in the center"
    };
    private static final double[][] POSITION_CENTRES = {{0.3, 0.3}, {0.7, 0.3}, {0.3, 0.7}, {0.7, 0.7}, {0.5, 0.5}};

    private final long seed;
    private final int imageSize;
    private final List<Combination> training;

    public ShapesDataset(long seed, int imageSize) {
        if (imageSize < 64) {
            throw new IllegalArgumentException("shapes images must be at least 64×64, got " + imageSize);
        }
        this.seed = seed;
        this.imageSize = imageSize;
        Set<Combination> heldOut = Set.copyOf(HELD_OUT);
        this.training =
                allCombinations().stream().filter(c -> !heldOut.contains(c)).toList();
    }

    public int imageSize() {
        return imageSize;
    }

    /** Every (color, shape, background) with color ≠ background: 8 × 3 × 7 = 168. */
    public static List<Combination> allCombinations() {
        List<Combination> all = new ArrayList<>();
        for (PaletteColor color : PaletteColor.values()) {
            for (ShapeKind shape : ShapeKind.values()) {
                for (PaletteColor background : PaletteColor.values()) {
                    if (color != background) {
                        all.add(new Combination(color, shape, background));
                    }
                }
            }
        }
        return all;
    }

    public List<Combination> trainingCombinations() {
        return training;
    }

    /** Example {@code index}: which combination, where, how large, and what the caption says. */
    public ShapeScene scene(long index) {
        Random random = new Random(seed * 0x9E3779B97F4A7C15L + index);
        Combination combination = training.get(random.nextInt(training.size()));
        return sceneFor(combination, random);
    }

    /** A scene of a given combination (e.g. a held-out one), varied by {@code variant}. */
    public ShapeScene scene(Combination combination, long variant) {
        return sceneFor(combination, new Random(seed * 0x2545F4914F6CDD1DL + variant));
    }

    public BufferedImage image(ShapeScene scene) {
        return ShapeRenderer.render(scene, imageSize);
    }

    private static ShapeScene sceneFor(Combination combination, Random random) {
        String sizeWord = null;
        double radius = 0.22 + 0.06 * random.nextDouble();
        double sizeRoll = random.nextDouble();
        if (sizeRoll < 0.2) {
            sizeWord = "small";
            radius = 0.13 + 0.04 * random.nextDouble();
        } else if (sizeRoll < 0.4) {
            sizeWord = "large";
            radius = 0.32 + 0.05 * random.nextDouble();
        }
        String positionWords = null;
        double cx = 0.5 + 0.08 * (2 * random.nextDouble() - 1);
        double cy = 0.5 + 0.08 * (2 * random.nextDouble() - 1);
        if (random.nextDouble() < 0.3 && !"large".equals(sizeWord)) {
            int position = random.nextInt(POSITIONS.length);
            positionWords = POSITIONS[position];
            radius = Math.min(radius, 0.19);
            cx = POSITION_CENTRES[position][0] + 0.03 * (2 * random.nextDouble() - 1);
            cy = POSITION_CENTRES[position][1] + 0.03 * (2 * random.nextDouble() - 1);
        }
        double rotation = combination.shape() == ShapeKind.CIRCLE ? 0 : 0.3 * (2 * random.nextDouble() - 1);
        return new ShapeScene(combination, cx, cy, radius, rotation, sizeWord, positionWords, random.nextInt());
    }

    private static Combination combo(String color, String shape, String background) {
        return new Combination(
                PaletteColor.fromWord(color), ShapeKind.fromWord(shape), PaletteColor.fromWord(background));
    }
}
