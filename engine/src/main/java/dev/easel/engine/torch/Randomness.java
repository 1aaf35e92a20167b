package dev.easel.engine.torch;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The one owner of libtorch's global random generator. Noise is drawn from it after seeding
 * ({@code torch.manual_seed(seed)}), so that a seed gives diffusers' image and a training step the same noise on
 * resume; a second thread seeding or drawing in between would change both. So every user — a generation, a sweep
 * drawing its cells' noise, a training step — seeds only through a {@link Held} lease, which holds a JVM-wide lock
 * until it is closed:
 *
 * <pre>{@code
 * try (Randomness.Held held = Randomness.seeded(seed)) {
 *     NDArray noise = cpu.randomNormal(shape); // torch.randn after torch.manual_seed(seed)
 * }
 * }</pre>
 *
 * The lock is reentrant: a trainer holding it may run a generation (validation images) on the same thread.
 */
public final class Randomness {

    private static final ReentrantLock LOCK = new ReentrantLock();

    private Randomness() {}

    /** Waits for and holds the generator (without seeding it) until the lease is closed. */
    public static Held hold() {
        LOCK.lock();
        return new Held();
    }

    /** {@link #hold()}, then seeds the generator. */
    public static Held seeded(long seed) {
        Held held = hold();
        held.seed(seed);
        return held;
    }

    /**
     * Seeds the generator again inside a lease this thread already holds further up the stack (a generation seeds
     * its variation noise and its hires pass between draws).
     */
    public static void reseed(long seed) {
        if (!LOCK.isHeldByCurrentThread()) {
            throw new IllegalStateException("seed the random generator only while holding it (Randomness.hold())");
        }
        LibTorch.manualSeed(seed);
    }

    /** Whether the current thread holds the generator. */
    public static boolean isHeldByCurrentThread() {
        return LOCK.isHeldByCurrentThread();
    }

    /** The generator, held by this thread until {@link #close()}. */
    public static final class Held implements AutoCloseable {

        private boolean open = true;

        private Held() {}

        /** {@code torch.manual_seed(seed)}: the generator keeps the low 32 bits of a long seed. */
        public void seed(long seed) {
            if (!open) {
                throw new IllegalStateException("the random generator lease was closed; hold it again to seed");
            }
            LibTorch.manualSeed(seed);
        }

        @Override
        public void close() {
            if (open) {
                open = false;
                LOCK.unlock();
            }
        }
    }
}
