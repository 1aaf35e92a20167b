package dev.easel.engine.dreambooth;

import ai.djl.ndarray.NDManager;

/** Where each step's batch comes from: a function of (step, micro-batch), so a resumed run sees the same data. */
@FunctionalInterface
public interface DreamBoothData {

    DreamBoothBatch batch(NDManager scope, long step, int micro);
}
