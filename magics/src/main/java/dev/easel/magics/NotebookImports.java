package dev.easel.magics;

import dev.easel.engine.sweep.Axis;
import java.util.List;

/**
 * The imports every notebook cell starts with: the JDK's everyday packages, displays, and the notebook API. Declared
 * here, beside the API they name, so the kernel that runs the cells never names an engine class.
 */
public final class NotebookImports {

    /** One {@code import …;} statement each, in the order a kernel evaluates them. */
    public static final List<String> IMPORTS = List.of(
            "import java.util.*;",
            "import java.util.stream.*;",
            "import java.io.*;",
            "import java.nio.file.*;",
            "import java.time.*;",
            "import java.awt.image.BufferedImage;",
            "import dev.easel.display.*;",
            "import static dev.easel.display.Display.*;",
            // The notebook API: Easel.load("default"), Model, sweeps with Axis.
            "import dev.easel.*;",
            "import " + Axis.class.getName() + ";");

    private NotebookImports() {}
}
