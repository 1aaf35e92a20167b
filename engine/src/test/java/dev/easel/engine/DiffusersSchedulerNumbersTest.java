package dev.easel.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.easel.engine.samplers.PredictionType;
import dev.easel.engine.samplers.Sampler;
import dev.easel.engine.samplers.Samplers;
import dev.easel.engine.samplers.SchedulerConfig;
import dev.easel.engine.torch.Randomness;
import java.math.BigDecimal;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Easel sampler that has a diffusers scheduler, run on diffusers' own scheduler test problem and compared with
 * the numbers diffusers' test suite stores for it (CPU values): numbers computed by diffusers, so a match is
 * diffusers' arithmetic step for step.
 *
 * <p>Source: {@code tests/schedulers/test_scheduler_*.py} of diffusers v0.25.1 (commit 1909952), the version the
 * reference data in {@code ../shared/reference} was made with and Easel reproduces. The newest diffusers (commit
 * 58eb52c) stores the same numbers except for KDPM2 ancestral: since diffusers 0.31 (#9616) it draws its noise at
 * the second stage of a step only, not at both UNet calls, which changes which random numbers are used (noted at
 * those cases).
 *
 * <p>The problem ({@code SchedulerCommonTest}): the sample {@code arange(768)} laid out (3, 8, 8, 4), divided by 768
 * and permuted to (4, 3, 8, 8), the "noise" the same with the range reversed, and the model {@code x·t/(t+1)} with
 * t the timestep the scheduler hands to the model — here {@link Sampler#timesteps()}, the value Easel passes to the
 * UNet (a float for the sigma samplers: KDPM2's second-stage timesteps are fractional). Ten steps. The loop is the
 * tests' loop: the output of {@code scale_model_input} is what is passed on to {@code step} (the tests reassign
 * {@code sample}), which no pipeline does but is what the stored numbers are. diffusers' {@code step} and
 * {@code add_noise} find their place from the timestep value; Easel's take the call index, so
 * {@code full_loop_with_noise}'s {@code timesteps[t_start * order:]} is "start at call {@code t_start · order}".
 * Stochastic samplers draw from {@code torch.manual_seed(0)}, as the tests' generator does.
 *
 * <p>Tolerance: diffusers checks |Δsum| &lt; 1e-2 and |Δmean| &lt; 1e-3, which for a sum of 0.1233 or a mean of
 * 0.0266 accepts almost anything. The stored values are printed to 3–7 significant digits, so here a value must
 * round to the stored one: |Δ| ≤ half a unit of the last printed digit, widened to 1e-5 relative for values printed
 * with more digits than float32 keeps (124.52299499511719) — both sides do the tensor arithmetic in libtorch float32,
 * only scalar coefficients and summation order may differ (measured: 3.4e-6 relative for Euler Karras, whose
 * values are printed to 17 digits; at most 6e-7 elsewhere).
 *
 * <p>Stored numbers not used, and why:
 *
 * <ul>
 *   <li>Euler {@code test_full_loop_with_v_prediction} (sum 0.0002, mean 2.2676e-06): the mean is LMS's (the sum it
 *       implies, 768 × 2.2676e-06 = 0.0017, is LMS's sum, not the stored 0.0002), so the pair was copied, not
 *       computed; Easel gives sum 2.418e-10.
 *   <li>KDPM2 {@code test_full_loop_with_v_prediction} (4.6934e-07, 6.1112e-10): Heun's numbers to the last digit, in
 *       the CPU and the CUDA branch; Easel's DPM2 gives 6.103e-05.
 *   <li>Heun {@code test_full_loop_with_v_prediction} (4.6934e-07, 6.1112e-10): stored in Dec 2022 (#1503) and checked
 *       since only at ±1e-2, 20,000 times the value; Easel gives 4.9239e-07 (+4.9 %). Heun's other three numbers,
 *       its v-prediction formula (shared with LMS, whose v-prediction numbers match) and the step code match
 *       diffusers' source, and the result does not move when coefficients are rounded differently, so this is
 *       listed, not explained.
 *   <li>UniPC 1D {@code test_full_loop_with_v_prediction} (mean 0.1014): the 2D test's value, added with the 1D
 *       class (#5199) whose other four numbers differ from the 2D ones; Easel gives 0.10047 (within diffusers' 1e-3).
 *   <li>PNDM: the tests run the Runge–Kutta warm-up ({@code skip_prk_steps=False}); Easel's PLMS is Stable
 *       Diffusion's {@code skip_prk_steps=True}, for which no numbers are stored.
 *   <li>DPM++ 2M SDE ({@code sde-dpmsolver++}): no stored numbers; diffusers checks only that the loop gives no NaN
 *       ({@code test_solver_order_and_type}), done here by {@link #dpmpp2mSdeRunsDiffusersLoopWithoutNaN}.
 * </ul>
 */
class DiffusersSchedulerNumbersTest {

    private static final Shape SHAPE_2D = new Shape(4, 3, 8, 8);
    /** {@code UniPCMultistepScheduler1DTest}'s sample shape. */
    private static final Shape SHAPE_1D = new Shape(4, 3, 8);

    private static final double FLOAT32_SLACK = 1e-5;
    /** diffusers' own tolerance on a mean, for the numbers stored before its sigma-based rewrite (see below). */
    private static final double DIFFUSERS_MEAN_TOLERANCE = 1e-3;

    /**
     * One stored result.
     *
     * @param tStart           -1: {@code full_loop}; else {@code full_loop_with_noise} from step {@code tStart}
     * @param expectedSum      as printed in the test (null: the test stores only the mean)
     * @param staleKarrasV     the Karras + v-prediction means of DPM++ 2M (stored Apr 2023) and UniPC (Aug 2023)
     *                         predate diffusers' rewrite of both in terms of sigmas (#4986, Sep 2023, before 0.25.1),
     *                         which moved them by less than diffusers' 1e-3 tolerance, so they were kept. With the
     *                         pre-rewrite arithmetic (ᾱ at the rounded timestep instead of the Karras sigma) DPM++ 2M
     *                         gives 0.20965, the stored 0.2096; the current arithmetic, Easel's, 0.20920. UniPC's 1D
     *                         test, stored after the rewrite (Oct 2023, #5199), has its Karras + v-prediction mean at
     *                         0.1944 and Easel matches it to the last digit. These two are checked at diffusers'
     *                         tolerance.
     */
    record Case(
            String test,
            String sampler,
            String schedule,
            SchedulerConfig config,
            Shape shape,
            int tStart,
            String expectedSum,
            String expectedMean,
            boolean staleKarrasV) {
        @Override
        public String toString() {
            return test;
        }
    }

    /** {@code get_scheduler_config()} of the DDIM and UniPC tests: 1000 training steps, linear betas. */
    private static SchedulerConfig config1000() {
        return config(1000, 0.0001, null);
    }

    /** {@code get_scheduler_config()} of the Euler, LMS, Heun and KDPM2 tests: 1100 training steps. */
    private static SchedulerConfig config1100() {
        return config(1100, 0.0001, null);
    }

    /** The DPM-Solver multistep test's config: as {@link #config1000()} with {@code lower_order_final=False}. */
    private static SchedulerConfig dpmMulti() {
        return config1000().withLowerOrderFinal(false);
    }

    private static SchedulerConfig config(int trainSteps, double betaStart, Boolean setAlphaToOne) {
        // steps_offset 0 and no timestep_spacing: the tests leave both at the class defaults
        return new SchedulerConfig(
                trainSteps,
                betaStart,
                0.02,
                "linear",
                PredictionType.EPSILON,
                0,
                setAlphaToOne,
                null,
                false,
                false,
                true);
    }

    private static SchedulerConfig v(SchedulerConfig c) {
        return c.withPredictionType(PredictionType.V_PREDICTION);
    }

    private static Case loop(String test, String sampler, SchedulerConfig c, String sum, String mean) {
        return new Case(test, sampler, null, c, SHAPE_2D, -1, sum, mean, false);
    }

    private static Case karras(String test, String sampler, SchedulerConfig c, String sum, String mean) {
        return new Case(test, sampler, "karras", c, SHAPE_2D, -1, sum, mean, false);
    }

    private static Case noised(String test, String sampler, SchedulerConfig c, int tStart, String sum, String mean) {
        return new Case(test, sampler, null, c, SHAPE_2D, tStart, sum, mean, false);
    }

    private static Case staleKarrasV(String test, String sampler, SchedulerConfig c, String mean) {
        return new Case(test, sampler, "karras", v(c), SHAPE_2D, -1, null, mean, true);
    }

    private static Case unipc1d(String test, String schedule, SchedulerConfig c, int tStart, String sum, String mean) {
        return new Case(test, "unipc", schedule, c, SHAPE_1D, tStart, sum, mean, false);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                        // test_scheduler_ddim.py, DDIMSchedulerTest (eta 0). Its config sets clip_sample=True, which
                        // Easel lacks (Stable Diffusion's configs turn it off): the numbers match, so it never engaged.
                        loop("ddim test_full_loop_no_noise", "ddim", config1000(), "172.0067", "0.223967"),
                        loop("ddim test_full_loop_with_v_prediction", "ddim", v(config1000()), "52.5302", "0.0684"),
                        loop(
                                "ddim test_full_loop_with_set_alpha_to_one",
                                "ddim",
                                config(1000, 0.01, true),
                                "149.8295",
                                "0.1951"),
                        loop(
                                "ddim test_full_loop_with_no_set_alpha_to_one",
                                "ddim",
                                config(1000, 0.01, false),
                                "149.0784",
                                "0.1941"),
                        noised("ddim test_full_loop_with_noise", "ddim", config1000(), 8, "354.5418", "0.4616"),
                        // test_scheduler_euler.py, EulerDiscreteSchedulerTest
                        loop("euler test_full_loop_no_noise", "euler", config1100(), "10.0807", "0.0131"),
                        karras(
                                "euler test_full_loop_device_karras_sigmas",
                                "euler",
                                config1100(),
                                "124.52299499511719",
                                "0.16213932633399963"),
                        noised("euler test_full_loop_with_noise", "euler", config1100(), 8, "57062.9297", "74.3007"),
                        // test_scheduler_euler_ancestral.py, EulerAncestralDiscreteSchedulerTest
                        loop("euler_a test_full_loop_no_noise", "euler_a", config1100(), "152.3192", "0.1983"),
                        loop(
                                "euler_a test_full_loop_with_v_prediction",
                                "euler_a",
                                v(config1100()),
                                "108.4439",
                                "0.1412"),
                        noised(
                                "euler_a test_full_loop_with_noise",
                                "euler_a",
                                config1100(),
                                8,
                                "56163.0508",
                                "73.1290"),
                        // test_scheduler_lms.py, LMSDiscreteSchedulerTest
                        loop("lms test_full_loop_no_noise", "lms", config1100(), "1006.388", "1.31"),
                        loop("lms test_full_loop_with_v_prediction", "lms", v(config1100()), "0.0017", "2.2676e-06"),
                        karras("lms test_full_loop_device_karras_sigmas", "lms", config1100(), "3812.9927", "4.9648"),
                        noised("lms test_full_loop_with_noise", "lms", config1100(), 8, "27663.6895", "36.0204"),
                        // test_scheduler_heun.py, HeunDiscreteSchedulerTest
                        loop("heun test_full_loop_no_noise", "heun", config1100(), "0.1233", "0.0002"),
                        karras(
                                "heun test_full_loop_device_karras_sigmas",
                                "heun",
                                config1100(),
                                "0.00015",
                                "1.9869554535034695e-07"),
                        noised("heun test_full_loop_with_noise", "heun", config1100(), 8, "75074.8906", "97.7538"),
                        // test_scheduler_kdpm2_discrete.py, KDPM2DiscreteSchedulerTest
                        loop("dpm2 test_full_loop_no_noise", "dpm2", config1100(), "20.4125", "0.0266"),
                        noised("dpm2 test_full_loop_with_noise", "dpm2", config1100(), 8, "70408.4062", "91.6776"),
                        // test_scheduler_kdpm2_ancestral.py, KDPM2AncestralDiscreteSchedulerTest, v0.25.1; diffusers
                        // ≥ 0.31 (#9616) stores 13979.9433/18.2030, 331.8133/0.4320 and 93087.3437/121.2074
                        loop("dpm2_a test_full_loop_no_noise", "dpm2_a", config1100(), "13849.3877", "18.0331"),
                        loop(
                                "dpm2_a test_full_loop_with_v_prediction",
                                "dpm2_a",
                                v(config1100()),
                                "328.9970",
                                "0.4284"),
                        noised("dpm2_a test_full_loop_with_noise", "dpm2_a", config1100(), 8, "93087.0312", "121.2071"),
                        // test_scheduler_dpm_multi.py, DPMSolverMultistepSchedulerTest (dpmsolver++, midpoint, order 2)
                        loop("dpmpp_2m test_full_loop_no_noise", "dpmpp_2m", dpmMulti(), null, "0.3301"),
                        noised("dpmpp_2m test_full_loop_with_noise", "dpmpp_2m", dpmMulti(), 5, "318.4111", "0.4146"),
                        loop("dpmpp_2m test_full_loop_with_v_prediction", "dpmpp_2m", v(dpmMulti()), null, "0.2251"),
                        staleKarrasV(
                                "dpmpp_2m test_full_loop_with_karras_and_v_prediction",
                                "dpmpp_2m",
                                dpmMulti(),
                                "0.2096"),
                        // test_scheduler_unipc.py, UniPCMultistepSchedulerTest (bh2, order 2)
                        loop("unipc test_full_loop_no_noise", "unipc", config1000(), null, "0.2464"),
                        karras("unipc test_full_loop_with_karras", "unipc", config1000(), null, "0.2925"),
                        loop("unipc test_full_loop_with_v_prediction", "unipc", v(config1000()), null, "0.1014"),
                        staleKarrasV(
                                "unipc test_full_loop_with_karras_and_v_prediction", "unipc", config1000(), "0.1966"),
                        noised("unipc test_full_loop_with_noise", "unipc", config1000(), 8, "315.5757", "0.4109"),
                        // test_scheduler_unipc.py, UniPCMultistepScheduler1DTest: the same on (4, 3, 8) samples
                        unipc1d("unipc 1D test_full_loop_no_noise", null, config1000(), -1, null, "0.2441"),
                        unipc1d("unipc 1D test_full_loop_with_karras", "karras", config1000(), -1, null, "0.2898"),
                        unipc1d(
                                "unipc 1D test_full_loop_with_karras_and_v_prediction",
                                "karras",
                                v(config1000()),
                                -1,
                                null,
                                "0.1944"),
                        unipc1d("unipc 1D test_full_loop_with_noise", null, config1000(), 8, "39.0870", "0.4072"))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesDiffusersStoredNumbers(Case c) {
        double[] result = run(c.sampler(), c.schedule(), c.config(), c.shape(), c.tStart());
        if (c.expectedSum() != null) {
            assertRounds(c.expectedSum(), result[0], c + ": sum |x|");
        }
        if (c.staleKarrasV()) {
            assertEquals(Double.parseDouble(c.expectedMean()), result[1], DIFFUSERS_MEAN_TOLERANCE, c + ": mean |x|");
        } else {
            assertRounds(c.expectedMean(), result[1], c + ": mean |x|");
        }
    }

    /** What diffusers checks of {@code sde-dpmsolver++} ({@code test_solver_order_and_type}): its loop gives no NaN. */
    @Test
    void dpmpp2mSdeRunsDiffusersLoopWithoutNaN() {
        for (PredictionType p : new PredictionType[] {PredictionType.EPSILON, PredictionType.V_PREDICTION}) {
            for (String schedule : new String[] {null, "karras"}) {
                double[] r = run("dpmpp_2m_sde", schedule, config1000().withPredictionType(p), SHAPE_2D, -1);
                assertTrue(Double.isFinite(r[0]) && r[0] > 0, p + " " + schedule + ": sum |x| = " + r[0]);
            }
        }
    }

    /** {sum |x|, mean |x|} after diffusers' test loop (with noise from call {@code tStart · order} if tStart ≥ 0). */
    private static double[] run(String name, String schedule, SchedulerConfig config, Shape shape, int tStart) {
        try (NDManager m = NDManager.newBaseManager();
                Randomness.Held held = Randomness.seeded(0)) {
            Sampler s = Samplers.create(name, config, 0, schedule);
            s.setTimesteps(10, m);
            Sampler.Noise noise = m::randomNormal;
            double[] t = s.timesteps();
            NDArray sample = deterministic(m, shape, false).mul(s.initNoiseSigma());
            int first = 0;
            if (tStart >= 0) {
                first = tStart * s.order();
                sample = s.addNoise(sample, deterministic(m, shape, true), first);
            }
            for (int i = first; i < t.length; i++) {
                sample = s.scaleModelInput(sample, i);
                // the tests' dummy model, in float32 as torch computes it
                float ti = (float) t[i];
                NDArray modelOutput = sample.mul(ti).div(ti + 1f);
                sample = s.step(modelOutput, i, sample, noise);
            }
            NDArray abs = sample.abs();
            return new double[] {abs.sum().getFloat(), abs.mean().getFloat()};
        }
    }

    /**
     * diffusers' {@code dummy_sample_deter} (or {@code dummy_noise_deter}, the range reversed): {@code arange(n)} laid
     * out with the batch axis last, divided by n, the batch axis then moved first.
     */
    private static NDArray deterministic(NDManager m, Shape shape, boolean reversed) {
        int n = (int) shape.size();
        int batch = (int) shape.get(0);
        int perItem = n / batch;
        float[] values = new float[n];
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < perItem; j++) {
                int k = j * batch + b;
                values[b * perItem + j] = (float) (reversed ? n - 1 - k : k) / n;
            }
        }
        return m.create(values, shape);
    }

    /** Asserts that {@code actual} rounds to {@code expected} at its printed precision (see the class comment). */
    private static void assertRounds(String expected, double actual, String what) {
        BigDecimal e = new BigDecimal(expected);
        double halfUnit = 0.5 * Math.pow(10, -e.scale());
        double tolerance = Math.max(halfUnit, FLOAT32_SLACK * Math.abs(e.doubleValue()));
        assertEquals(e.doubleValue(), actual, tolerance, what);
    }
}
