package dev.easel.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.easel.engine.EngineException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** GradScaler's schedule: start at 2^16, halve on overflow, double after 2000 good steps in a row. */
class LossScalerTest {

    @Test
    void backsOffOnOverflowAndGrowsAfterTheInterval() {
        LossScaler scaler = new LossScaler();
        assertEquals(65536.0, scaler.scale());
        scaler.update(false);
        scaler.update(false);
        assertEquals(16384.0, scaler.scale());
        for (int i = 0; i < LossScaler.GROWTH_INTERVAL - 1; i++) {
            scaler.update(true);
        }
        assertEquals(16384.0, scaler.scale(), "one step short of the interval");
        scaler.update(false);
        for (int i = 0; i < LossScaler.GROWTH_INTERVAL - 1; i++) {
            scaler.update(true);
        }
        assertEquals(8192.0, scaler.scale(), "an overflow restarts the count");
        scaler.update(true);
        assertEquals(16384.0, scaler.scale());
    }

    @Test
    void stateRoundTrips() {
        LossScaler scaler = new LossScaler();
        scaler.update(false);
        for (int i = 0; i < 5; i++) {
            scaler.update(true);
        }
        LossScaler resumed = LossScaler.fromState(Map.of("scale", 32768, "growth_tracker", 5));
        assertEquals(scaler.state(), resumed.state());
        assertThrows(EngineException.class, () -> LossScaler.fromState(Map.of("scale", 2.0)));
    }
}
