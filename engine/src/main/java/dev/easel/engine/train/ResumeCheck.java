package dev.easel.engine.train;

import dev.easel.engine.EngineException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Compares the settings a checkpoint was trained with to those of the run resuming it. A resumed run equals an
 * uninterrupted one only when everything that decides the numbers is the same: the seed (data order and noise are a
 * function of seed and step), the learning rate and the kind of its schedule, gradient accumulation and clipping.
 * The number of steps is not compared: training a finished run further is what a longer budget asks for (a
 * schedule stretched over more steps is then the user's choice). Checkpoints written before a setting was recorded
 * are not checked for it. Gradient checkpointing is recorded and a change is said, but allowed: it trades memory for
 * time and leaves the numbers as they were (gradients equal to float rounding), so a run that no longer fits may turn
 * it on when it resumes.
 */
final class ResumeCheck {

    /** Recorded settings that change memory and time but not the numbers: a change is reported, not refused. */
    private static final Set<String> NOT_DECIDING = Set.of("gradient_checkpointing");

    private ResumeCheck() {}

    /** What the manifest records of {@code settings}, by the names used in the messages. */
    static Map<String, Object> recorded(TrainingSettings settings) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seed", settings.seed());
        m.put("learning_rate", settings.learningRate());
        m.put("gradient_accumulation", settings.gradientAccumulation());
        m.put("max_grad_norm", settings.maxGradNorm());
        m.put("gradient_checkpointing", settings.gradientCheckpointing());
        return m;
    }

    /** The settings of {@code settings} that differ from the checkpoint's, as "name checkpoint → now" texts. */
    static List<String> differences(CheckpointStore.Checkpoint checkpoint, TrainingSettings settings) {
        return differences(checkpoint, settings, false);
    }

    /** As {@link #differences(CheckpointStore.Checkpoint, TrainingSettings)}, or only the non-deciding ones. */
    private static List<String> differences(
            CheckpointStore.Checkpoint checkpoint, TrainingSettings settings, boolean notDeciding) {
        Map<String, Object> manifest = checkpoint.manifest();
        List<String> differ = new ArrayList<>();
        recorded(settings).forEach((key, now) -> {
            if (NOT_DECIDING.contains(key) == notDeciding) {
                compare(differ, key, manifest.get(key), now);
            }
        });
        if (notDeciding) {
            return differ;
        }
        if (manifest.get("lr_scheduler") instanceof Map<?, ?> saved) {
            compare(
                    differ,
                    "lr_scheduler",
                    saved.get("kind"),
                    settings.schedule().kind().id());
        }
        return differ;
    }

    private static void compare(List<String> differ, String key, Object saved, Object now) {
        if (saved == null) {
            return; // an older checkpoint that did not record it
        }
        boolean same = saved instanceof Number a && now instanceof Number b
                ? (a instanceof Double || a instanceof Float || b instanceof Double || b instanceof Float
                        ? a.doubleValue() == b.doubleValue()
                        : a.longValue() == b.longValue())
                : Objects.equals(String.valueOf(saved), String.valueOf(now));
        if (!same) {
            differ.add(key + " " + saved + " → " + now);
        }
    }

    /**
     * Refuses a resume whose settings differ from the checkpoint's unless {@code override}; with it, warns that the
     * run is no longer exact.
     *
     * @throws EngineException one line naming each differing setting and the two ways on
     */
    static void require(
            CheckpointStore.Checkpoint checkpoint, TrainingSettings settings, boolean override, System.Logger log) {
        List<String> changed = differences(checkpoint, settings, true);
        if (!changed.isEmpty()) {
            log.log(
                    System.Logger.Level.INFO,
                    "resuming " + checkpoint.folder() + " with " + String.join(", ", changed)
                            + ": memory and speed change, the results do not");
        }
        List<String> differ = differences(checkpoint, settings);
        if (differ.isEmpty()) {
            return;
        }
        String which = String.join(", ", differ);
        if (!override) {
            throw new EngineException("resuming " + checkpoint.folder() + " with other settings than it was trained"
                    + " with (" + which + ") would not repeat the uninterrupted run; give the checkpoint's values, or"
                    + " allow the change (--override) to continue with the new ones, not exactly");
        }
        log.log(
                System.Logger.Level.WARNING,
                "resuming " + checkpoint.folder() + " with changed settings (" + which
                        + "): the run continues with the new ones and is no longer exact");
    }
}
