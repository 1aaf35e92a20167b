package dev.easel.magics.general;

import dev.easel.magics.MagicException;
import dev.easel.notebook.Environment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.repository.internal.MavenRepositorySystemUtils;
import org.eclipse.aether.DefaultRepositorySystemSession;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.LocalRepository;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.eclipse.aether.util.filter.DependencyFilterUtils;

/** Resolves Maven coordinates with their runtime dependencies to jar files, using Apache Maven Resolver. */
public final class MavenResolver {

    public static final String CENTRAL = "https://repo.maven.apache.org/maven2/";

    private final Path localRepository;
    private final List<RemoteRepository> remotes = new ArrayList<>();

    public MavenResolver(Path localRepository, String extraRepository) {
        this.localRepository = localRepository;
        remotes.add(new RemoteRepository.Builder("central", "default", CENTRAL).build());
        if (extraRepository != null && !extraRepository.isBlank()) {
            remotes.add(new RemoteRepository.Builder("extra", "default", extraRepository).build());
        }
    }

    /** {@code EASEL_MAVEN_REPO}, else {@code ~/.m2/repository} (shared with Maven). */
    public static Path defaultLocalRepository() {
        String configured = Environment.get("EASEL_MAVEN_REPO").orElse(null);
        return configured != null ? Path.of(configured) : Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    /** The jars of the given artifacts and of their runtime dependencies, in class-path order. */
    public List<Path> resolve(List<String> coordinates) {
        RepositorySystem system = new RepositorySystemSupplier().get();
        try {
            DefaultRepositorySystemSession session = MavenRepositorySystemUtils.newSession();
            session.setLocalRepositoryManager(
                    system.newLocalRepositoryManager(session, new LocalRepository(localRepository.toFile())));
            CollectRequest collect = new CollectRequest();
            collect.setRepositories(remotes);
            for (String coordinate : coordinates) {
                collect.addDependency(new Dependency(artifact(coordinate), JavaScopes.RUNTIME));
            }
            DependencyRequest request =
                    new DependencyRequest(collect, DependencyFilterUtils.classpathFilter(JavaScopes.RUNTIME));
            List<Path> jars = new ArrayList<>();
            for (ArtifactResult result :
                    system.resolveDependencies(session, request).getArtifactResults()) {
                if (result.getArtifact() != null && result.getArtifact().getFile() != null) {
                    jars.add(result.getArtifact().getFile().toPath());
                }
            }
            return jars;
        } catch (DependencyResolutionException e) {
            throw new MagicException("%maven could not resolve " + String.join(", ", coordinates) + ": "
                    + firstLine(rootMessage(e)) + " — check the coordinates on https://central.sonatype.com");
        } finally {
            system.shutdown();
        }
    }

    private static DefaultArtifact artifact(String coordinate) {
        String[] parts = coordinate.split(":");
        if (parts.length < 3 || parts.length > 5 || List.of(parts).stream().anyMatch(String::isBlank)) {
            throw new MagicException("'" + coordinate + "' is not group:artifact:version, e.g. "
                    + "org.apache.commons:commons-lang3:3.14.0");
        }
        try {
            return new DefaultArtifact(coordinate);
        } catch (IllegalArgumentException e) {
            throw new MagicException("'" + coordinate + "' is not group:artifact:version: " + e.getMessage());
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String own = e.getMessage() == null ? e.toString() : e.getMessage();
        return cause.getMessage() == null || cause == e ? own : cause.getMessage();
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }
}
