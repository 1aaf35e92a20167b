package dev.easel.engine.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where the live tensors are. A tensor on another device than the model's is either a bug that costs a copy per
 * step (a schedule table or a mask built on the CPU) or an error at the first op that mixes devices; on a CPU-only
 * machine neither shows. This walks DJL's manager tree from the root every manager hangs under and lists the live
 * arrays that are not on the expected device, so a test or a GPU run can call it in the middle of a step.
 */
public final class TensorPlacement {

    private TensorPlacement() {}

    /** The live arrays of this JVM, each once, found from the engine's root manager down. */
    public static List<NDArray> liveArrays() {
        try (NDManager probe = NDManager.newBaseManager()) {
            NDManager root = probe.getParentManager();
            // An array lent to a step's manager (tempAttach) is listed under both managers.
            Set<NDArray> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            List<NDArray> arrays = new ArrayList<>();
            for (NDArray a : root.getManagedArrays()) {
                if (seen.add(a)) {
                    arrays.add(a);
                }
            }
            return arrays;
        }
    }

    /**
     * Describes every live array that is not on {@code expected}, as "name shape dtype on device" (at most
     * {@code limit} of them; the count of all of them comes last when there are more).
     */
    public static List<String> misplaced(Device expected, int limit) {
        List<String> found = new ArrayList<>();
        int count = 0;
        for (NDArray a : liveArrays()) {
            Device d;
            try {
                d = a.getDevice();
            } catch (RuntimeException closedMeanwhile) {
                continue;
            }
            if (!d.equals(expected)) {
                count++;
                if (found.size() < limit) {
                    found.add((a.getName() == null ? "(unnamed)" : a.getName()) + " " + a.getShape() + " "
                            + a.getDataType() + " on " + d);
                }
            }
        }
        if (count > found.size()) {
            found.add("… " + count + " in all");
        }
        return found;
    }

    /** How many live arrays there are per device, for a log line. */
    public static Map<String, Integer> countByDevice() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (NDArray a : liveArrays()) {
            try {
                counts.merge(a.getDevice().toString(), 1, Integer::sum);
            } catch (RuntimeException closedMeanwhile) {
                // released between the listing and the look
            }
        }
        return counts;
    }
}
