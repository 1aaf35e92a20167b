package dev.easel.magics.general;

import dev.easel.engine.options.Option;
import dev.easel.magics.CellPart;
import dev.easel.magics.MagicContext;
import dev.easel.magics.MagicException;
import dev.easel.magics.spec.MagicSpec;
import dev.easel.magics.spec.ParsedArgs;
import dev.easel.magics.spec.SpecMagic;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code %maven group:artifact:version…}: resolves artifacts and their runtime dependencies from Maven Central (with
 * Apache Maven Resolver, into the local Maven repository) and adds the jars to the cells' class path.
 */
public final class MavenMagic extends SpecMagic {

    @Override
    protected MagicSpec declare() {
        return MagicSpec.magic(
                        "maven", "Resolve artifacts from Maven Central (with dependencies) and add them to the cells")
                .option(Option.string("repo", "URL", null, "an extra Maven repository to search after Maven Central"))
                .option(Option.flag("quiet", "don't list the jars added"))
                .manyPositional(
                        "COORDINATES", "group:artifact:version (or group:artifact:extension:classifier:version)")
                .note("Jars go to the local Maven repository (" + MavenResolver.defaultLocalRepository()
                        + "; EASEL_MAVEN_REPO changes it).")
                .example("%maven org.apache.commons:commons-lang3:3.14.0");
    }

    @Override
    protected void run(ParsedArgs args, CellPart.MagicCall call, MagicContext context) {
        List<String> coordinates = args.positionals("COORDINATES");
        if (coordinates.isEmpty()) {
            throw new MagicException(
                    "%maven needs group:artifact:version, e.g. %maven org.apache.commons:commons-lang3:3.14.0");
        }
        MavenResolver resolver = new MavenResolver(MavenResolver.defaultLocalRepository(), args.string("repo"));
        List<Path> jars = resolver.resolve(coordinates);
        int fresh = 0;
        StringBuilder listing = new StringBuilder();
        for (Path jar : jars) {
            if (ClassPaths.add(context, jar)) {
                fresh++;
                listing.append("\n  ").append(jar.getFileName());
            }
        }
        System.out.println("Resolved " + String.join(", ", coordinates) + ": " + jars.size() + " jar"
                + (jars.size() == 1 ? "" : "s") + ", " + fresh + " new on the class path"
                + (args.flag("quiet") ? "" : listing));
    }
}
