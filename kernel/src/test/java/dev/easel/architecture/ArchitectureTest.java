package dev.easel.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shape of the code, checked on the compiled classes of all three modules (this test lives in the kernel module,
 * the only one that sees them all): no package depends on itself through others, the modules depend one way
 * (kernel → magics → engine), and the engine's packages keep their layers.
 */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importEasel() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.easel");
    }

    /** Each Java package is one slice. */
    private static final SliceAssignment PACKAGES = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            return SliceIdentifier.of(javaClass.getPackageName());
        }

        @Override
        public String getDescription() {
            return "Java packages";
        }
    };

    @Test
    void noPackageCycles() {
        slices().assignedFrom(PACKAGES).should().beFreeOfCycles().check(classes);
    }

    @Test
    void modulesDependOneWay() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("kernel")
                .definedBy("dev.easel.kernel..")
                .layer("magics")
                .definedBy("dev.easel", "dev.easel.magics..", "dev.easel.display..", "dev.easel.notebook..")
                .layer("engine")
                .definedBy("dev.easel.engine..")
                .whereLayer("kernel")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("magics")
                .mayOnlyBeAccessedByLayers("kernel")
                .whereLayer("engine")
                .mayOnlyBeAccessedByLayers("magics", "kernel")
                .check(classes);
    }

    /**
     * The engine's layers, lowest first: a package may use its own layer and those below, never one above. The
     * root package holds only what every layer needs (EngineException, the logging bridge).
     */
    private static final List<String[]> ENGINE_LAYERS = List.of(
            new String[] {
                "dev.easel.engine",
                "dev.easel.engine.io..",
                "dev.easel.engine.torch..",
                "dev.easel.engine.memory..",
                "dev.easel.engine.tables..",
                "dev.easel.engine.tokenizer..",
                "dev.easel.engine.shapes.."
            },
            new String[] {"dev.easel.engine.nn.."},
            new String[] {"dev.easel.engine.models..", "dev.easel.engine.samplers..", "dev.easel.engine.prompt.."},
            new String[] {"dev.easel.engine.weights..", "dev.easel.engine.lora..", "dev.easel.engine.embeddings.."},
            new String[] {"dev.easel.engine.pipeline..", "dev.easel.engine.inpaint.."},
            new String[] {"dev.easel.engine.train.."},
            new String[] {"dev.easel.engine.loading.."},
            new String[] {
                "dev.easel.engine.dreambooth..",
                "dev.easel.engine.defaultmodel..",
                "dev.easel.engine.sweep..",
                "dev.easel.engine.randommodel..",
                "dev.easel.engine.community.."
            },
            new String[] {"dev.easel.engine.options.."},
            new String[] {"dev.easel.engine.cli.."});

    @Test
    void engineLayersDependDownwardOnly() {
        for (int layer = 0; layer < ENGINE_LAYERS.size() - 1; layer++) {
            String[] above = ENGINE_LAYERS.subList(layer + 1, ENGINE_LAYERS.size()).stream()
                    .flatMap(Arrays::stream)
                    .toArray(String[]::new);
            noClasses()
                    .that()
                    .resideInAnyPackage(ENGINE_LAYERS.get(layer))
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(above)
                    .check(classes);
        }
    }
}
