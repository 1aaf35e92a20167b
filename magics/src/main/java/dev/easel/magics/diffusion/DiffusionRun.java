package dev.easel.magics.diffusion;

import dev.easel.Generation;
import dev.easel.magics.CellPart;
import dev.easel.magics.MagicException;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;

/** Runs a generation for a magic, turning the API's exceptions into one-line magic errors. */
final class DiffusionRun {

    private DiffusionRun() {}

    static Generation run(Supplier<Generation> generation, CellPart.MagicCall call) {
        try {
            return generation.get();
        } catch (CancellationException interrupted) {
            throw interrupted; // the kernel reports it as an interrupt, not an error
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new MagicException(call.spelled() + ": " + firstLine(e.getMessage()));
        }
    }

    static String firstLine(String text) {
        if (text == null) {
            return "failed";
        }
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }
}
