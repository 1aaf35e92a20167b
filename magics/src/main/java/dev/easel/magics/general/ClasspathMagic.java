package dev.easel.magics.general;

import dev.easel.engine.io.UserPath;
import dev.easel.magics.CellPart;
import dev.easel.magics.MagicContext;
import dev.easel.magics.MagicException;
import dev.easel.magics.spec.MagicSpec;
import dev.easel.magics.spec.ParsedArgs;
import dev.easel.magics.spec.SpecMagic;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code %classpath PATH…}: adds jars or class folders (globs such as {@code lib/*.jar} too) to the cells. */
public final class ClasspathMagic extends SpecMagic {

    @Override
    protected MagicSpec declare() {
        return MagicSpec.magic(
                        "classpath", "Add jars or class folders to the cells' class path (no argument: list them)")
                .manyPositional(
                        "PATH", "a .jar, a folder of classes, or a glob like lib/*.jar; relative to the notebook")
                .example("%classpath lib/*.jar")
                .example("%classpath /opt/libs/commons-lang3-3.14.0.jar");
    }

    @Override
    protected void run(ParsedArgs args, CellPart.MagicCall call, MagicContext context) throws IOException {
        List<String> paths = args.positionals("PATH");
        if (paths.isEmpty()) {
            List<Path> added = ClassPaths.added();
            System.out.println(
                    added.isEmpty()
                            ? "Nothing added to the class path yet (%classpath PATH adds a jar)."
                            : "Added to the class path:\n  "
                                    + String.join(
                                            "\n  ",
                                            added.stream().map(Path::toString).toList()));
            return;
        }
        List<Path> toAdd = new ArrayList<>();
        for (String text : paths) {
            toAdd.addAll(expand(context.workingDirectory(), text));
        }
        int fresh = 0;
        for (Path path : toAdd) {
            if (ClassPaths.add(context, path)) {
                fresh++;
            }
        }
        System.out.println("Added " + fresh + " path" + (fresh == 1 ? "" : "s") + " to the class path"
                + (fresh < toAdd.size() ? " (" + (toAdd.size() - fresh) + " already there)" : ""));
    }

    static List<Path> expand(Path base, String text) throws IOException {
        Path given = UserPath.resolve(base, text);
        String name = given.getFileName() == null ? "" : given.getFileName().toString();
        if (name.contains("*") || name.contains("?")) {
            Path folder = given.getParent();
            if (folder == null || !Files.isDirectory(folder)) {
                throw new MagicException("%classpath: no folder " + folder + " for the pattern " + text);
            }
            List<Path> matches = new ArrayList<>();
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(folder, name)) {
                stream.forEach(matches::add);
            }
            if (matches.isEmpty()) {
                throw new MagicException("%classpath: nothing matches " + text + " in " + folder);
            }
            matches.sort(null);
            return matches;
        }
        if (!Files.exists(given)) {
            throw new MagicException("%classpath: no such file or folder " + given
                    + " — give a .jar or a folder of classes (relative paths start at " + base + ")");
        }
        return List.of(given);
    }
}
